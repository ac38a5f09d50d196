using Microservice.Kit.Data;
using Microservice.Kit.Data.Backends;
using Microservice.Kit.PostgreSql.Internal;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.PostgreSql.Data.Internal;

/// <summary>The data backend on one PostgreSQL database: a table per repository, units of work as transactions.</summary>
internal sealed class PostgreSqlDataBackend(PostgreSqlDatabase database, ILogger logger) : DataBackend
{
    public PostgreSqlDatabase Database => database;

    public override string Name => "PostgreSQL";

    public override int MaxPageSize => database.Options.MaxPageSize;

    public override bool SupportsSessions => true;

    public override RepositoryBackend<TEntity, TId> CreateRepository<TEntity, TId>(EntityModel<TEntity> model) =>
        new PostgreSqlRepositoryBackend<TEntity, TId>(database, model, logger);

    public override async ValueTask<DataSession> BeginSessionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await PostgreSqlDataSession.BeginAsync(database.DataSource, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (PostgreSqlErrors.Translate(exception, cancellationToken) is { } problem)
        {
            throw problem;
        }
    }

    // The repositories translate what they throw themselves, with the caller's token at hand; this catches what a unit
    // of work's commit throws. A cancellation is left alone: without the token it cannot be told from a timeout.
    public override Exception? TranslateException(Exception exception) =>
        exception is OperationCanceledException ? null : PostgreSqlErrors.Translate(exception, CancellationToken.None);
}
