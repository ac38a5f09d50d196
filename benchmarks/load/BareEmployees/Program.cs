using BareEmployees;

// bare:  BareEmployees serve --db <employees.db> --picture <file> --urls http://127.0.0.1:5091
// seed:  BareEmployees seed --url http://127.0.0.1:5090 --password <admin password> --count 10000 --pictures 100 --picture <file>
//        (prints the admin's access token on the last line of stdout)
return args.FirstOrDefault() switch
{
    "serve" => BareApi.Run(args[1..]),
    "seed" => await Seeder.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: BareEmployees serve --db FILE --picture FILE [--urls URL] | seed --url URL --password P [--count N] [--pictures N] --picture FILE");
    return 2;
}
