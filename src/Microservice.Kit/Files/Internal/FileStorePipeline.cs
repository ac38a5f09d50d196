using System.Diagnostics;
using Microservice.Kit.Diagnostics;
using Microservice.Kit.Problems;
using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// What every store shares, wrapped once around whatever a provider created: id rules checked before any storage is
/// touched, client metadata sanitised, and one activity, metric and log line per operation tagged with the store's
/// name and provider. Providers implement storage only. Disposing it disposes the provider's store (the container
/// disposes the pipeline it created), so that a store's client and leases end with the host.
/// </summary>
internal sealed class FileStorePipeline(IFileStore inner, FileStoreProvider provider, FileStoreContext context, ILogger logger) : IFileStore, IAsyncDisposable, IDisposable
{
    private readonly string _store = context.DisplayName;
    private readonly string _backend = provider.Backend.ToLowerInvariant();

    public IFileStore Inner => inner;

    public FileStoreProvider Provider => provider;

    public async ValueTask DisposeAsync()
    {
        switch (inner)
        {
            case IAsyncDisposable asynchronous:
                await asynchronous.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable synchronous:
                synchronous.Dispose();
                break;
        }
    }

    // A container disposed synchronously (a test's `using` provider) must not throw for an asynchronous-only store.
    public void Dispose() => (inner as IDisposable)?.Dispose();

    public async Task<StoredFileInfo> WriteAsync(string fileId, Stream content, FileWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        ArgumentNullException.ThrowIfNull(content);
        var sanitized = new FileWriteOptions
        {
            ContentType = FileMetadataRules.SanitizeContentType(options?.ContentType) ?? FileMetadataRules.DefaultContentType,
            FileName = FileMetadataRules.SanitizeFileName(options?.FileName),
            Overwrite = options?.Overwrite ?? false,
        };
        using var activity = Start("Microservice.Kit.Files.Write", fileId);
        try
        {
            var info = await inner.WriteAsync(fileId, content, sanitized, cancellationToken).ConfigureAwait(false);
            FileMetrics.Operation("write", "stored", _store, _backend);
            FileMetrics.Written(info.Size, _store, _backend);
            Log.FileWritten(logger, fileId, info.Size, info.ContentType, "write", "stored");
            return info;
        }
        catch (Exception exception)
        {
            var status = exception switch
            {
                ConflictException => "exists",
                OperationCanceledException => "cancelled",
                KitException kit => kit.Code,
                _ => "failed",
            };
            FileMetrics.Operation("write", status, _store, _backend);
            Log.FileWriteRejected(logger, fileId, "write", status, exception is KitException kitException ? kitException.Code : status);
            activity?.SetStatus(ActivityStatusCode.Error, status);
            throw;
        }
    }

    public async Task<StoredFile?> OpenReadAsync(string fileId, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        using var activity = Start("Microservice.Kit.Files.Read", fileId);
        var file = await Observe("read", inner.OpenReadAsync(fileId, cancellationToken), activity).ConfigureAwait(false);
        FileMetrics.Operation("read", file is null ? "not_found" : "opened", _store, _backend);
        return file;
    }

    public Task<StoredFileInfo?> GetInfoAsync(string fileId, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        return inner.GetInfoAsync(fileId, cancellationToken);
    }

    public Task<bool> ExistsAsync(string fileId, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        return inner.ExistsAsync(fileId, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string fileId, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        using var activity = Start("Microservice.Kit.Files.Delete", fileId);
        var deleted = await Observe("delete", inner.DeleteAsync(fileId, cancellationToken), activity).ConfigureAwait(false);
        Deleted(fileId, deleted);
        return deleted;
    }

    public async Task<bool> DeleteIfMatchAsync(string fileId, string expectedETag, CancellationToken cancellationToken = default)
    {
        FileIds.Validate(fileId);
        ArgumentNullException.ThrowIfNull(expectedETag);
        using var activity = Start("Microservice.Kit.Files.Delete", fileId);
        var deleted = await Observe("delete", inner.DeleteIfMatchAsync(fileId, expectedETag, cancellationToken), activity).ConfigureAwait(false);
        Deleted(fileId, deleted);
        return deleted;
    }

    public Task<FileListPage> ListAsync(string? prefix = null, int pageSize = 100, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        // Bad arguments are the caller's 400 before any storage is touched.
        _ = ListArguments.Validate(prefix, pageSize, continuationToken);
        return inner.ListAsync(prefix, pageSize, continuationToken, cancellationToken);
    }

    private Activity? Start(string name, string fileId)
    {
        var activity = KitDiagnostics.ActivitySource.StartActivity(name);
        activity?.SetTag("file.id", fileId);
        activity?.SetTag("file.store", _store);
        activity?.SetTag("file.backend", _backend);
        return activity;
    }

    private void Deleted(string fileId, bool deleted)
    {
        FileMetrics.Operation("delete", deleted ? "deleted" : "not_found", _store, _backend);
        if (deleted)
        {
            Log.FileDeleted(logger, fileId, "delete", "deleted");
        }
    }

    private async Task<T> Observe<T>(string operation, Task<T> task, Activity? activity)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            var status = exception switch
            {
                PreconditionFailedException => "precondition_failed",
                OperationCanceledException => "cancelled",
                KitException kit => kit.Code,
                _ => "failed",
            };
            FileMetrics.Operation(operation, status, _store, _backend);
            activity?.SetStatus(ActivityStatusCode.Error, status);
            throw;
        }
    }
}
