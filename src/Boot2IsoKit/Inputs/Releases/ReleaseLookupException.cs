using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Releases;

/// <summary>Looking up a release failed. Messages never contain the GitHub token.</summary>
internal class ReleaseLookupException : Boot2IsoKitException
{
    public ReleaseLookupException(string repository, string message, Exception? inner = null)
        : base(message, inner!)
    {
        Repository = repository;
    }

    /// <summary>owner/name.</summary>
    public string Repository { get; }
}

/// <summary>The repository, release or asset does not exist (HTTP 404, or an asset missing from a release).</summary>
internal sealed class ReleaseNotFoundException(string repository, string message, Exception? inner = null)
    : ReleaseLookupException(repository, message, inner);

/// <summary>GitHub's API rate limit is used up until <see cref="ResetsAt"/>.</summary>
internal sealed class GitHubRateLimitException(string repository, string message, DateTimeOffset resetsAt, Exception? inner = null)
    : ReleaseLookupException(repository, message, inner)
{
    public DateTimeOffset ResetsAt { get; } = resetsAt;
}

/// <summary>The API could not be reached at all: no network, DNS failure, refused connection, timeout.</summary>
internal sealed class GitHubUnreachableException(string repository, string message, Exception? inner = null)
    : ReleaseLookupException(repository, message, inner);
