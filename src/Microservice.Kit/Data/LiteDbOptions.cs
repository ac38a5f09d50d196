using System.ComponentModel.DataAnnotations;

namespace Microservice.Kit.Data;

/// <summary>Options of the LiteDB database, bound from <c>MicroserviceKit:LiteDb</c>.</summary>
public sealed class LiteDbOptions
{
    /// <summary>
    /// The LiteDB connection string (<c>Filename=data/app.db</c>), a bare file path, or <c>:memory:</c> for a database that
    /// lives and dies with the process (tests). The folder of the file is created if missing. Only the default
    /// <c>Connection=direct</c> is accepted: <c>shared</c> reopens the file on every call and is many times slower.
    /// </summary>
    /// <value>The default is <c>Filename=data/app.db</c>.</value>
    [Required]
    public string ConnectionString { get; set; } = "Filename=data/app.db";

    /// <summary>
    /// How many repository operations may run on the database at once; the rest wait asynchronously. Keeps LiteDB
    /// below its limit of 100 open transactions under any load.
    /// </summary>
    /// <value>The default is 32.</value>
    [Range(1, 90)]
    public int MaxConcurrentOperations { get; set; } = 32;

    /// <summary>The largest page size <c>PageAsync</c> accepts; a larger one is a 400.</summary>
    /// <value>The default is 100.</value>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 100;
}
