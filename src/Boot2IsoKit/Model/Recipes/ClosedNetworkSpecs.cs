using System.Text.Json.Nodes;

namespace Boot2IsoKit.Model.Recipes;

/// <summary>A PEM file of <c>certificates:</c>, trusted in the VM (see Stages/Certificates).</summary>
/// <param name="File">The file, relative to the repository root unless absolute.</param>
/// <param name="AllowExpired">Bake an expired certificate with a warning instead of stopping.</param>
/// <param name="Line">Line of the entry in the recipe, for messages.</param>
internal sealed record CertificateSpec(string File, bool AllowExpired, int Line);

/// <summary>One directive of <c>daemon:</c>, checked against Stages/DaemonSettings/DockerdOptions.</summary>
/// <param name="Key">The daemon.json key (insecure-registries, labels, ...).</param>
/// <param name="Value">Its value, already of the directive's shape.</param>
/// <param name="Line">Line of the directive in the recipe, for messages.</param>
internal sealed record DaemonSetting(string Key, JsonNode Value, int Line);
