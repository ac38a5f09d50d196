using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Microservice.Kit.PostgreSql.Data.Internal;

/// <summary>
/// Translates the filters and orderings the repository contract takes (<c>Expression&lt;Func&lt;T, bool&gt;&gt;</c>) into
/// SQL over the table layout of <see cref="PostgreSqlDocuments"/>: <c>Id</c>, <c>Version</c>, <c>CreatedAt</c> and
/// <c>UpdatedAt</c> are columns compared with typed parameters, every other
/// member a JSONB path (<c>document-&gt;'Loan'-&gt;'EmployeeId'</c>) compared with a JSONB parameter, so the comparison
/// follows the same JSON the document holds and the expression indexes declared on those paths serve it.
/// </summary>
/// <remarks>
/// Supported: <c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> between a member and a value (or two
/// members), comparisons with <see langword="null"/>, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, a bool member alone,
/// <c>Equals</c>, <c>HasValue</c>/<c>Value</c> of nullable members, string <c>StartsWith</c>/<c>EndsWith</c>/<c>Contains</c>
/// (ordinal, or <see cref="StringComparison.OrdinalIgnoreCase"/>), <see cref="string.IsNullOrEmpty"/>, a value list's
/// <c>Contains(member)</c> (SQL <c>= ANY</c>) and a list member's <c>Contains(value)</c> (JSONB <c>@&gt;</c>). Values are any
/// expression that does not involve the entity (constants, captured variables, method calls), evaluated once per query.
/// Anything else throws <see cref="NotSupportedException"/> naming the expression: a programming error, found by the
/// first test that runs the query.
/// </remarks>
internal sealed class PostgreSqlQueryTranslator
{
    private static readonly MethodInfo StringStartsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;
    private static readonly MethodInfo StringEndsWith = typeof(string).GetMethod(nameof(string.EndsWith), [typeof(string)])!;
    private static readonly MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo StringStartsWithComparison = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string), typeof(StringComparison)])!;
    private static readonly MethodInfo StringEndsWithComparison = typeof(string).GetMethod(nameof(string.EndsWith), [typeof(string), typeof(StringComparison)])!;
    private static readonly MethodInfo StringContainsComparison = typeof(string).GetMethod(nameof(string.Contains), [typeof(string), typeof(StringComparison)])!;
    private static readonly MethodInfo StringIsNullOrEmpty = typeof(string).GetMethod(nameof(string.IsNullOrEmpty), [typeof(string)])!;

    private readonly List<NpgsqlParameter> _parameters;
    private readonly Func<object?, NpgsqlParameter> _idParameter;
    private ParameterExpression _entity = null!;
    private LambdaExpression _root = null!;

    /// <param name="parameters">The command's parameters so far; translated values are appended and named by position (<c>$n</c>).</param>
    /// <param name="idParameter">Makes a typed parameter for an id value (or an array of them).</param>
    public PostgreSqlQueryTranslator(List<NpgsqlParameter> parameters, Func<object?, NpgsqlParameter> idParameter)
    {
        _parameters = parameters;
        _idParameter = idParameter;
    }

    /// <summary>The SQL condition of a filter.</summary>
    public string Where(LambdaExpression filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        (_root, _entity) = (filter, filter.Parameters[0]);
        return Condition(filter.Body);
    }

    /// <summary>The SQL expression to order by (a column or a JSONB path).</summary>
    public string OrderBy(LambdaExpression key)
    {
        ArgumentNullException.ThrowIfNull(key);
        (_root, _entity) = (key, key.Parameters[0]);
        return Term(StripConvert(key.Body)) is { Kind: not TermKind.Value } term
            ? term.Sql
            : throw Unsupported(key.Body, "an ordering must be a member of the entity, such as e => e.Name");
    }

    private string Condition(Expression node)
    {
        switch (node)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso } and:
                return "(" + Condition(and.Left) + " AND " + Condition(and.Right) + ")";
            case BinaryExpression { NodeType: ExpressionType.OrElse } or:
                return "(" + Condition(or.Left) + " OR " + Condition(or.Right) + ")";
            case UnaryExpression { NodeType: ExpressionType.Not } not:
                return "(NOT " + Condition(not.Operand) + ")";
            case BinaryExpression binary when Operator(binary.NodeType) is { } op:
                return Compare(binary.Left, binary.Right, op, binary);
            case MethodCallExpression call:
                return Call(call);
            case MemberExpression { Member.Name: "HasValue" } hasValue when Nullable.GetUnderlyingType(hasValue.Expression!.Type) is not null:
                return Compare(hasValue.Expression, Expression.Constant(null), "<>", hasValue);
            case UnaryExpression { NodeType: ExpressionType.Convert } convert:
                return Condition(convert.Operand);
            default:
                if (!Involves(node))
                {
                    return Evaluate(node) is true ? "TRUE" : "FALSE";
                }

                if (node.Type == typeof(bool) && Term(node) is { Kind: TermKind.Json } flag)
                {
                    return flag.Sql + " = 'true'::jsonb";
                }

                throw Unsupported(node);
        }
    }

    private string Compare(Expression left, Expression right, string op, Expression node)
    {
        left = StripConvert(left);
        right = StripConvert(right);
        var l = Term(left);
        var r = Term(right);
        if (l.Kind == TermKind.Value && r.Kind == TermKind.Value)
        {
            return Evaluate(node) is true ? "TRUE" : "FALSE";
        }

        if (l.Kind == TermKind.Value)
        {
            (l, r, left, right) = (r, l, right, left);
            op = Mirror(op);
        }

        if (r.Kind == TermKind.Value)
        {
            var value = Evaluate(right);
            if (value is null)
            {
                return op switch
                {
                    "=" => l.Kind == TermKind.Json ? $"({l.Sql} IS NULL OR {l.Sql} = 'null'::jsonb)" : l.Sql + " IS NULL",
                    "<>" => l.Kind == TermKind.Json ? $"({l.Sql} IS NOT NULL AND {l.Sql} <> 'null'::jsonb)" : l.Sql + " IS NOT NULL",
                    _ => throw Unsupported(node, "an ordering comparison with null is never true"),
                };
            }

            return l.Kind switch
            {
                TermKind.Id => $"{l.Sql} {op} {Add(_idParameter(value))}",
                TermKind.Version => $"{l.Sql} {op} {Add(new NpgsqlParameter { Value = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.Bigint })}",
                TermKind.Timestamp => $"{l.Sql} {op} {Add(Timestamp(value))}",
                _ => $"{l.Sql} {op} {Add(Json(value, left.Type))}",
            };
        }

        if (l.Kind != r.Kind)
        {
            throw Unsupported(node, "both sides must be stored alike (two document members, or two columns)");
        }

        return $"{l.Sql} {op} {r.Sql}";
    }

    private string Call(MethodCallExpression call)
    {
        var method = call.Method;
        if (method == StringStartsWith || method == StringEndsWith || method == StringContains
            || method == StringStartsWithComparison || method == StringEndsWithComparison || method == StringContainsComparison)
        {
            var ignoreCase = false;
            if (call.Arguments.Count == 2)
            {
                var comparison = (StringComparison)Evaluate(call.Arguments[1])!;
                ignoreCase = comparison switch
                {
                    StringComparison.Ordinal => false,
                    StringComparison.OrdinalIgnoreCase => true,
                    _ => throw Unsupported(call, "only StringComparison.Ordinal and OrdinalIgnoreCase are translated"),
                };
            }

            var text = Text(call.Object!, call);
            if (Involves(call.Arguments[0]))
            {
                throw Unsupported(call, "the argument must be a value, not a member of the entity");
            }

            if (Evaluate(call.Arguments[0]) is not string argument)
            {
                return "FALSE";
            }

            if (ignoreCase)
            {
                text = $"lower({text})";
                argument = argument.ToLowerInvariant();
            }

            var p = Add(new NpgsqlParameter { Value = argument, NpgsqlDbType = NpgsqlDbType.Text });
            return method.Name switch
            {
                nameof(string.StartsWith) => $"starts_with({text}, {p})",
                nameof(string.EndsWith) => $"right({text}, length({p})) = {p}",
                _ => $"strpos({text}, {p}) > 0",
            };
        }

        if (method == StringIsNullOrEmpty)
        {
            return $"coalesce({Text(call.Arguments[0], call)}, '') = ''";
        }

        if (method.Name == nameof(object.Equals) && call.Object is not null && call.Arguments.Count == 1)
        {
            return Compare(call.Object, call.Arguments[0], "=", call);
        }

        // values.Contains(e.Member): Enumerable.Contains(values, member) or an instance Contains(member) on a value list.
        var (collection, item) = method.Name == nameof(Enumerable.Contains) ? method.IsStatic && call.Arguments.Count == 2
            ? (call.Arguments[0], call.Arguments[1])
            : call.Object is not null && call.Arguments.Count == 1 ? (call.Object, call.Arguments[0]) : (null, null)
            : (null, null);
        if (collection is not null && item is not null)
        {
            if (!Involves(collection) && Involves(item))
            {
                var member = Term(StripConvert(item));
                var values = ((IEnumerable?)Evaluate(collection) ?? Array.Empty<object>()).Cast<object?>().ToArray();
                return member.Kind switch
                {
                    TermKind.Id => $"{member.Sql} = ANY({Add(_idParameter(values))})",
                    TermKind.Version => $"{member.Sql} = ANY({Add(new NpgsqlParameter { Value = values.Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint })})",
                    TermKind.Json => $"{member.Sql} = ANY({Add(new NpgsqlParameter { Value = values.Select(v => JsonSerializer.Serialize(v, item.Type, PostgreSqlDocuments.Options)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb })})",
                    _ => throw Unsupported(call),
                };
            }

            if (Involves(collection) && !Involves(item) && Term(StripConvert(collection)) is { Kind: TermKind.Json } list)
            {
                var element = Evaluate(item);
                var json = "[" + JsonSerializer.Serialize(element, item.Type, PostgreSqlDocuments.Options) + "]";
                return $"{list.Sql} @> {Add(new NpgsqlParameter { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb })}";
            }
        }

        throw Unsupported(call);
    }

    /// <summary>A string member as SQL text (<c>document-&gt;&gt;'Name'</c>).</summary>
    private string Text(Expression node, Expression call)
    {
        var term = Term(StripConvert(node));
        if (term.Kind != TermKind.Json || node.Type != typeof(string))
        {
            throw Unsupported(call, "string methods are translated on string members of the entity");
        }

        // -> yields jsonb; the text of a JSON string is its value without quotes, which is what ->> gives for the last step.
        var arrow = term.Sql.LastIndexOf("->", StringComparison.Ordinal);
        return term.Sql[..arrow] + "->>" + term.Sql[(arrow + 2)..];
    }

    private Term Term(Expression node)
    {
        if (!Involves(node))
        {
            return new Term(TermKind.Value, "");
        }

        var members = new Stack<MemberExpression>();
        var current = node;
        while (true)
        {
            current = StripConvert(current);
            if (current is MemberExpression { Member.Name: "Value" } value && Nullable.GetUnderlyingType(value.Expression!.Type) is not null)
            {
                current = value.Expression;
                continue;
            }

            if (current is MemberExpression member && member.Expression is not null)
            {
                members.Push(member);
                current = member.Expression;
                continue;
            }

            break;
        }

        if (current != _entity || members.Count == 0)
        {
            throw Unsupported(node);
        }

        if (members.Count == 1 && PostgreSqlDocuments.ColumnOf(members.Peek().Member) is { } column)
        {
            return new Term(
                column switch
                {
                    PostgreSqlDocuments.IdColumn => TermKind.Id,
                    PostgreSqlDocuments.VersionColumn => TermKind.Version,
                    _ => TermKind.Timestamp,
                },
                column);
        }

        var sql = new StringBuilder(PostgreSqlDocuments.DocumentColumn);
        foreach (var step in members)
        {
            // Only a property the serializer writes is in the document; string.Length or a DateTime's Year is not.
            var name = PostgreSqlDocuments.JsonName(StripNullable(step.Expression!.Type), step.Member)
                ?? throw Unsupported(node, $"{step.Member.Name} is not a member stored in the document");
            sql.Append("->'").Append(name.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
        }

        return new Term(TermKind.Json, sql.ToString());
    }

    private static Type StripNullable(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private string Add(NpgsqlParameter parameter)
    {
        _parameters.Add(parameter);
        return "$" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    // timestamptz takes UTC only (Npgsql refuses another offset rather than guess).
    private static NpgsqlParameter Timestamp(object value) => new()
    {
        Value = value switch
        {
            DateTimeOffset offset => offset.ToUniversalTime(),
            DateTime time => new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time).ToUniversalTime(),
            _ => value,
        },
        NpgsqlDbType = NpgsqlDbType.TimestampTz,
    };

    private static NpgsqlParameter Json(object value, Type type)
    {
        // C# compares an enum member with its underlying number (Convert(e.Color) == 0): serialize it as the enum the
        // document holds, so that a [JsonStringEnumConverter] enum compares as its name.
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum && value.GetType() != type)
        {
            value = Enum.ToObject(type, value);
        }
        else if (!type.IsInstanceOfType(value))
        {
            type = value.GetType();
        }

        return new() { Value = JsonSerializer.Serialize(value, type, PostgreSqlDocuments.Options), NpgsqlDbType = NpgsqlDbType.Jsonb };
    }

    private bool Involves(Expression node) => new ParameterFinder(_entity).Finds(node);

    /// <summary>
    /// The value of a sub-expression that does not involve the entity. Captured variables (a field of a closure) are
    /// read by reflection; compiling a lambda costs tens of microseconds, which a query by username should not pay.
    /// </summary>
    private static object? Evaluate(Expression node)
    {
        switch (node)
        {
            case ConstantExpression constant:
                return constant.Value;
            case MemberExpression { Member: FieldInfo field } member:
                return field.GetValue(member.Expression is null ? null : Evaluate(member.Expression));
            case MemberExpression { Member: PropertyInfo property } member:
                return property.GetValue(member.Expression is null ? null : Evaluate(member.Expression));
            case UnaryExpression { NodeType: ExpressionType.Convert } convert when Nullable.GetUnderlyingType(convert.Type) == convert.Operand.Type
                || convert.Type == typeof(object):
                return Evaluate(convert.Operand);
            default:
                return Expression.Lambda<Func<object?>>(Expression.Convert(node, typeof(object))).Compile(preferInterpretation: true)();
        }
    }

    private static Expression StripConvert(Expression node)
    {
        while (node is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            node = convert.Operand;
        }

        return node;
    }

    private static string? Operator(ExpressionType type) => type switch
    {
        ExpressionType.Equal => "=",
        ExpressionType.NotEqual => "<>",
        ExpressionType.LessThan => "<",
        ExpressionType.LessThanOrEqual => "<=",
        ExpressionType.GreaterThan => ">",
        ExpressionType.GreaterThanOrEqual => ">=",
        _ => null,
    };

    private static string Mirror(string op) => op switch
    {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        _ => op,
    };

    private NotSupportedException Unsupported(Expression node, string? why = null) => new(
        $"The PostgreSQL repository cannot translate '{node}' in '{_root}' to SQL{(why is null ? "" : ": " + why)}. "
        + "See docs/data.md for the expressions it translates.");

    private sealed class ParameterFinder(ParameterExpression parameter) : ExpressionVisitor
    {
        private bool _found;

        public bool Finds(Expression node)
        {
            _found = false;
            Visit(node);
            return _found;
        }

        public override Expression? Visit(Expression? node) => _found ? node : base.Visit(node);

        protected override Expression VisitParameter(ParameterExpression node)
        {
            _found |= node == parameter;
            return node;
        }
    }
}

internal enum TermKind
{
    Value,
    Id,
    Version,
    Timestamp,
    Json,
}

internal readonly record struct Term(TermKind Kind, string Sql);
