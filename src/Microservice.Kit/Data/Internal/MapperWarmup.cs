using System.Collections;
using System.Reflection;
using LiteDB;

namespace Microservice.Kit.Data.Internal;

/// <summary>
/// Builds LiteDB's mapping of an entity type (and of every type a query on it can look up) on one thread at a time.
/// </summary>
/// <remarks>
/// LiteDB 5.0.21's <c>BsonMapper</c> publishes a type's mapper in its cache before filling in its members and reads
/// the cache outside its lock (<c>GetEntityMapper</c>, <c>BuildAddEntityMapper</c>), so two threads meeting a type for
/// the first time can get a mapper without its members (measured here: auto ids stop being assigned and inserts fail
/// with a duplicate <c>_id</c> 0). LINQ translation (<c>LinqExpressionVisitor.ResolveMember</c>) looks a member up in
/// the mapper of the type that <em>declares</em> it: <c>e =&gt; e.Id</c> on an <see cref="Entity{TId}"/> subclass asks for
/// the abstract <see cref="Entity{TId}"/>, and in generic code for <see cref="IEntity{TId}"/>; first queries racing
/// there failed with "Member Id not found on BsonMapper". Repositories build all of these here, under one lock, before
/// their first operation: the entity, its base classes and interfaces, and the same for the types its members hold.
/// </remarks>
internal static class MapperWarmup
{
    private const int MaxDepth = 8;
    private static readonly Lock Sync = new();

    // BsonMapper.Entity<T>() builds (and caches) T's mapper without creating a T, so abstract types, interfaces and
    // types without a parameterless constructor can be built too; GetEntityMapper(Type) itself is internal.
    private static readonly MethodInfo EntityMethod = typeof(BsonMapper).GetMethod(nameof(BsonMapper.Entity), 1, Type.EmptyTypes)!;

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

        if (!IsDocumentType(type) || !TryBuild(mapper, type))
        {
            return;
        }

        for (var baseType = type.BaseType; baseType is not null && baseType != typeof(object) && baseType != typeof(ValueType); baseType = baseType.BaseType)
        {
            Visit(mapper, baseType, seen, depth + 1);
        }

        foreach (var contract in type.GetInterfaces())
        {
            if (contract.GetProperties().Length > 0)
            {
                Visit(mapper, contract, seen, depth + 1);
            }
        }

        var flags = BindingFlags.Public | BindingFlags.Instance | (mapper.IncludeNonPublic ? BindingFlags.NonPublic : 0);
        foreach (var property in type.GetProperties(flags))
        {
            Visit(mapper, property.PropertyType, seen, depth + 1);
        }

        if (mapper.IncludeFields)
        {
            foreach (var field in type.GetFields(flags))
            {
                Visit(mapper, field.FieldType, seen, depth + 1);
            }
        }
    }

    private static bool IsDocumentType(Type type) =>
        (type.IsClass || type.IsInterface || (type.IsValueType && !type.IsPrimitive && !type.IsEnum))
        && !type.IsByRef && !type.IsPointer && !type.ContainsGenericParameters
        && !typeof(IEnumerable).IsAssignableFrom(type) && !typeof(Delegate).IsAssignableFrom(type)

        // The runtime's types (string, Uri, DateTimeOffset, Guid...) and LiteDB's own (ObjectId, BsonValue) are values
        // to LiteDB, not documents.
        && type.Assembly != typeof(BsonMapper).Assembly
        && type.Namespace is not "System" && type.Namespace?.StartsWith("System.", StringComparison.Ordinal) != true;

    private static bool TryBuild(BsonMapper mapper, Type type)
    {
        try
        {
            EntityMethod.MakeGenericMethod(type).Invoke(mapper, null);
            return true;
        }
        catch (Exception exception) when (exception is TargetInvocationException or ArgumentException or NotSupportedException)
        {
            // Not a type LiteDB can map as a document (it fails the same way when it meets it); nothing to build.
            return false;
        }
    }
}
