using Microservice.Kit.Problems;

namespace Microservice.Kit.Files.Internal;

/// <summary>The argument rules of <see cref="IFileStore.ListAsync"/>, shared by the stores.</summary>
internal static class ListArguments
{
    public static (string Prefix, string? After) Validate(string? prefix, int pageSize, string? continuationToken)
    {
        if (pageSize is < 1 or > FileStoreConstants.MaxPageSize)
        {
            throw new BadRequestException($"The page size must be 1 to {FileStoreConstants.MaxPageSize}.");
        }

        prefix ??= string.Empty;
        if (prefix.Length > FileIds.MaxLength || !prefix.All(FileIds.IsIdChar))
        {
            throw new BadRequestException("The prefix may hold only letters, digits, '-', '_' and '.'.", FileProblemCodes.InvalidFileId);
        }

        if (continuationToken is not null && !FileIds.IsValid(continuationToken))
        {
            throw new BadRequestException("The continuation token is invalid.");
        }

        return (prefix, continuationToken);
    }
}
