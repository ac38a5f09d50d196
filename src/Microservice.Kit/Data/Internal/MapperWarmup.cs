using System.Collections;
using System.Reflection;
using LiteDB;

namespace Microservice.Kit.Data.Internal;

/// <summary>
/// Builds LiteDB's mapping of an entity type (and the types it contains) on one thread at a time.
/// </summary>
/// <remarks>
/// LiteDB 5.0.21's <c>BsonMapper</c> publishes a type's mapper in its cache before filling in its members and reads
/// the cache outside its lock, so two threads meeting a type for the first time can get a mapper without its
/// <c>Id</c> (measured here: auto ids stop being assigned and inserts fail with a duplicate <c>_id</c> 0). Repositories
/// build their types here, under one lock, before their first operation.
/// </remarks>
internal static class MapperWarmup
{
    private const int MaxDepth = 8;
    private static readonly Lock Sync = new();

    public static ILiteCollection<T> GetCollection<T>(ILiteDatabase database, string name)
    {
        lock (Sync)
        {
            var collection = database.GetCollection<T>(name);
            Visit(database.Mapper, typeof(T), [], depth: 0);
            return collection;
        }
    }

    private static void Visit(BsonMapper mapper, Type type, HashSet<Type> seen, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (depth > MaxDepth || !seen.Add(type))
        {
            return;
        }

        if (type.IsArray)
        {
            Visit(mapper, type.GetElementType()!, seen, depth + 1);
            return;
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Visit(mapper, argument, seen, depth + 1);
            }

            return;
        }

        if (!type.IsClass || type == typeof(string) || type == typeof(Uri) || typeof(BsonValue).IsAssignableFrom(type)
            || typeof(IEnumerable).IsAssignableFrom(type) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
        {
            return;
        }

        try
        {
            mapper.ToObject(type, []);
        }
        catch (Exception exception) when (exception is LiteException or MissingMethodException or TargetInvocationException or NotSupportedException)
        {
            // Not a type LiteDB maps as a document; nothing to build.
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Visit(mapper, property.PropertyType, seen, depth + 1);
        }
    }
}
