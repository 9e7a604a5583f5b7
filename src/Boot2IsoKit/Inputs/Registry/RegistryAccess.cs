namespace Boot2IsoKit.Inputs.Registry;

/// <summary>A registry account. The password never appears in <see cref="ToString"/>, logs or exception messages.</summary>
internal sealed record RegistryCredentials(string Username, string Password)
{
    public override string ToString() => $"RegistryCredentials {{ Username = {Username} }}";
}

/// <summary>Where a registry's API is and who we are there.</summary>
internal sealed record RegistryAccess(Uri BaseAddress, RegistryCredentials? Credentials)
{
    /// <summary>
    /// Docker Hub's API host: references say <c>docker.io</c>, but its registry answers at <c>registry-1.docker.io</c>
    /// (distribution/reference normalize.go's comment on <c>defaultDomain</c>; docker's registry package's default endpoint).
    /// </summary>
    public const string DefaultDockerHubApiHost = "registry-1.docker.io";

    /// <summary>
    /// What to tell a user who must give credentials for this registry (the recipe key or environment variable that
    /// carries them); appended to <see cref="RegistryCredentialsRequiredException"/>'s message. Null: a generic sentence.
    /// </summary>
    public string? CredentialsHint { get; init; }

    /// <summary>
    /// <c>https://&lt;registry&gt;/</c>, for Docker Hub <see cref="DefaultDockerHubApiHost"/>; <paramref name="plainHttp"/> gives
    /// <c>http://</c> (an insecure registry, e.g. a local one on 127.0.0.1).
    /// </summary>
    public static RegistryAccess For(ImageReference reference, bool plainHttp = false, RegistryCredentials? credentials = null) =>
        For(reference, plainHttp, credentials, DefaultDockerHubApiHost);

    /// <param name="dockerHubApiHost">The API host for <c>docker.io</c> references (a mirror, a test).</param>

    public static RegistryAccess For(ImageReference reference, bool plainHttp, RegistryCredentials? credentials, string dockerHubApiHost)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var host = reference.Registry == ImageReference.DockerHub ? dockerHubApiHost : reference.Registry;
        return new RegistryAccess(new Uri((plainHttp ? "http://" : "https://") + host + "/"), credentials);
    }

    public override string ToString() =>
        $"RegistryAccess {{ BaseAddress = {BaseAddress}, Credentials = {(Credentials is null ? "none" : "user " + Credentials.Username)} }}";
}
