using System.Text.Json.Nodes;

namespace Boot2IsoKit.Model.Recipes;

/// <summary>A PEM file of <c>certificates:</c>, trusted in the VM (see Stages/Certificates).</summary>
/// <param name="File">The file, relative to the repository root unless absolute.</param>
/// <param name="AllowExpired">Bake an expired certificate with a warning instead of stopping.</param>
/// <param name="Line">Line of the entry in the recipe, for messages.</param>
internal sealed record CertificateSpec(string File, bool AllowExpired, int Line);

/// <summary>One directive of <c>daemon:</c>, checked against <see cref="DockerdOptions"/>.</summary>
/// <param name="Key">The daemon.json key (insecure-registries, labels, ...).</param>
/// <param name="Value">Its value, already of the directive's shape.</param>
/// <param name="Line">Line of the directive in the recipe, for messages.</param>
internal sealed record DaemonSetting(string Key, JsonNode Value, int Line);

/// <summary>One item of <c>images:</c>: a <c>docker save</c> archive, or a reference pulled from a registry (Stages/Images).</summary>
/// <param name="Archive">A docker-load archive, relative to the repository root unless absolute; null for a reference.</param>
/// <param name="Reference">"name:tag" or "name@sha256:…" as docker names it; null for an archive.</param>
/// <param name="Tag">The name a pulled image gets in the VM ("tools:pinned"); null: the reference's own tag, if any.</param>
/// <param name="Line">Line of the item in the recipe, for messages.</param>
internal sealed record ImageSpec(string? Archive, string? Reference, string? Tag, int Line)
{
    /// <summary>What the item is, for messages and the bill of materials.</summary>
    public override string ToString() => Archive ?? Reference!;
}

/// <summary>How to reach one registry of <c>registries:</c> (its key: the host as image references name it, "127.0.0.1:5000").</summary>
/// <param name="Host">The registry part of a reference ("docker.io", "ghcr.io", "127.0.0.1:5000").</param>
/// <param name="PlainHttp">Speak HTTP, not HTTPS (a registry dockerd would list under insecure-registries).</param>
/// <param name="Url">The API's base address when it is not https://HOST/ (a mirror); null: derived from the host.</param>
/// <param name="Username">The user to authenticate as; null: anonymous, or the environment's credentials.</param>
/// <param name="PasswordVariable">The environment variable holding the password (the recipe itself never holds one).</param>
/// <param name="Line">Line of the entry, for messages.</param>
internal sealed record RegistrySpec(string Host, bool PlainHttp, string? Url, string? Username, string? PasswordVariable, int Line);
