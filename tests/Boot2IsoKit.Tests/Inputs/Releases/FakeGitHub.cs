using System.Globalization;
using System.Text.Json.Nodes;
using Boot2IsoKit.Testing.Http;
using Microsoft.AspNetCore.Http;

namespace Boot2IsoKit.Tests.Inputs.Releases;

/// <summary>
/// GitHub's REST API for one repository, served on loopback from the recorded payloads in Payloads/:
/// the releases list with page/per_page and Link headers, /releases/latest, /releases/tags/{tag},
/// 404 bodies, and a 403 rate-limit reply while <see cref="RateLimitedUntil"/> is set.
/// </summary>
internal sealed class FakeGitHub : IAsyncDisposable
{
    public const string Repository = "boot2docker/boot2docker";

    private readonly string _payloads = Path.Combine(AppContext.BaseDirectory, "Inputs", "Releases", "Payloads");
    private LoopbackHttpServer _server = null!;

    private FakeGitHub()
    {
    }

    public LoopbackHttpServer Server => _server;

    public Uri BaseAddress => _server.BaseAddress;

    public DateTimeOffset? RateLimitedUntil { get; set; }

    public static async Task<FakeGitHub> StartAsync()
    {
        var fake = new FakeGitHub();
        fake._server = await LoopbackHttpServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private string Api => _server.BaseAddress.AbsoluteUri + "api/v3";

    private string Payload(string name) =>
        File.ReadAllText(Path.Combine(_payloads, name)).Replace("{{api}}", Api, StringComparison.Ordinal).Replace("{{web}}", _server.BaseAddress.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal);

    private async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers["X-GitHub-Media-Type"] = "github.v3; format=json";
        if (RateLimitedUntil is { } reset)
        {
            response.StatusCode = StatusCodes.Status403Forbidden;
            response.Headers["X-RateLimit-Limit"] = "60";
            response.Headers["X-RateLimit-Remaining"] = "0";
            response.Headers["X-RateLimit-Used"] = "60";
            response.Headers["X-RateLimit-Resource"] = "core";
            response.Headers["X-RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            await response.WriteAsync(Payload("rate-limited.json"));
            return;
        }

        response.Headers["X-RateLimit-Limit"] = "60";
        response.Headers["X-RateLimit-Remaining"] = "59";
        response.Headers["X-RateLimit-Reset"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var prefix = $"/api/v3/repos/{Repository}/releases";
        var path = context.Request.Path.Value ?? string.Empty;
        var releases = JsonNode.Parse(Payload("releases.json"))!.AsArray();
        JsonNode? answer = path switch
        {
            _ when path == prefix => Page(context, releases),
            _ when path == prefix + "/latest" => releases.FirstOrDefault(r => !(bool)r!["prerelease"]! && !(bool)r["draft"]!),
            _ when path.StartsWith(prefix + "/tags/", StringComparison.Ordinal) =>
                releases.FirstOrDefault(r => (string?)r!["tag_name"] == Uri.UnescapeDataString(path[(prefix.Length + "/tags/".Length)..])),
            _ => null,
        };

        if (answer is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            await response.WriteAsync(Payload("not-found.json"));
            return;
        }

        await response.WriteAsync(answer.ToJsonString());
    }

    private JsonArray Page(HttpContext context, JsonArray releases)
    {
        var perPage = int.TryParse(context.Request.Query["per_page"], CultureInfo.InvariantCulture, out var p) ? Math.Clamp(p, 1, 100) : 30;
        var page = int.TryParse(context.Request.Query["page"], CultureInfo.InvariantCulture, out var n) ? Math.Max(n, 1) : 1;
        var last = Math.Max(1, (releases.Count + perPage - 1) / perPage);
        string Link(int target, string rel) => $"<{Api}/repos/{Repository}/releases?per_page={perPage}&page={target}>; rel=\"{rel}\"";
        var links = new List<string>();
        if (page > 1)
        {
            links.Add(Link(page - 1, "prev"));
            links.Add(Link(1, "first"));
        }

        if (page < last)
        {
            links.Add(Link(page + 1, "next"));
            links.Add(Link(last, "last"));
        }

        if (links.Count > 0)
        {
            context.Response.Headers["Link"] = string.Join(", ", links);
        }

        return new JsonArray(releases.Skip((page - 1) * perPage).Take(perPage).Select(r => r!.DeepClone()).ToArray());
    }
}
