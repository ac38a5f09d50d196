using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microservice.Kit.Data;

namespace Microservice.Kit.PostgreSql.Data.Internal;

/// <summary>
/// How an entity is stored: what the repository owns in real columns (<c>id</c>, <c>version</c>, <c>created_at</c>,
/// <c>updated_at</c>), everything else as one JSONB <c>document</c>. Those four are left out of the document so that each
/// lives in one place only: the columns the primary key, the version check, the audit stamps and the queries use.
/// </summary>
internal static class PostgreSqlDocuments
{
    public const string IdColumn = "id";
    public const string VersionColumn = "version";
    public const string CreatedAtColumn = "created_at";
    public const string UpdatedAtColumn = "updated_at";
    public const string DocumentColumn = "document";

    /// <summary>System.Text.Json's general defaults (property names as declared), without the members kept in columns.</summary>
    public static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>
    /// The JSON name a member of <paramref name="type"/> has in the document (its <see cref="JsonPropertyNameAttribute"/>,
    /// else its name), or <see langword="null"/> when the serializer does not write it as an object property.
    /// </summary>
    public static string? JsonName(Type type, MemberInfo member)
    {
        var info = Options.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return null;
        }

        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider is MemberInfo candidate && candidate.Name == member.Name)
            {
                return property.Name;
            }
        }

        return null;
    }

    /// <summary>The column of an entity's own member that lives outside the document, or <see langword="null"/>.</summary>
    public static string? ColumnOf(MemberInfo member) => member.Name switch
    {
        nameof(IEntity<int>.Id) => IdColumn,
        nameof(IEntity<int>.Version) => VersionColumn,
        nameof(IEntity<int>.CreatedAt) => CreatedAtColumn,
        nameof(IEntity<int>.UpdatedAt) => UpdatedAtColumn,
        _ => null,
    };

    public static bool IsEntity(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEntity<>));

    private static JsonSerializerOptions CreateOptions()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(static info =>
        {
            if (info.Kind != JsonTypeInfoKind.Object || !IsEntity(info.Type))
            {
                return;
            }

            for (var i = info.Properties.Count - 1; i >= 0; i--)
            {
                if (info.Properties[i].AttributeProvider is MemberInfo member && ColumnOf(member) is not null)
                {
                    info.Properties.RemoveAt(i);
                }
            }
        });
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General) { TypeInfoResolver = resolver };
        options.MakeReadOnly();
        return options;
    }
}
