namespace Boot2IsoKit.Inputs.Releases;

/// <summary>
/// Which repository to ask and how. A class rather than a record so that the token can never be printed
/// by a generated <c>ToString</c>.
/// </summary>
internal sealed class Boot2DockerReleaseOptions
{
    public const string DefaultRepository = "boot2docker/boot2docker";
    public const string TokenVariable = "GITHUB_TOKEN";

    /// <summary><c>owner/name</c>: boot2docker itself or any fork.</summary>
    public string Repository { get; init; } = DefaultRepository;

    /// <summary>GitHub Enterprise API root (<c>https://host/api/v3/</c>); null means public GitHub (Octokit's default).</summary>
    public Uri? ApiBaseUrl { get; init; }

    /// <summary>Raises the rate limit and reaches private forks. Never logged.</summary>
    public string? Token { get; init; }

    /// <summary>Per API request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Options with the token from <c>GITHUB_TOKEN</c> (if set).</summary>
    public static Boot2DockerReleaseOptions FromEnvironment(string? repository = null, Uri? apiBaseUrl = null, Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var token = read(TokenVariable);
        return new Boot2DockerReleaseOptions
        {
            Repository = string.IsNullOrWhiteSpace(repository) ? DefaultRepository : repository.Trim(),
            ApiBaseUrl = apiBaseUrl,
            Token = string.IsNullOrWhiteSpace(token) ? null : token.Trim(),
        };
    }

    public override string ToString() => $"{Repository} via {ApiBaseUrl?.ToString() ?? "GitHub"}{(Token is null ? string.Empty : " (with a token)")}";
}
