using System.Security.Cryptography;
using Boot2IsoKit.Testing.Http;
using Microsoft.AspNetCore.Http;

namespace Boot2IsoKit.Tests.Inputs.TinyCore;

/// <summary>
/// A loopback HTTP server laid out like a Tiny Core mirror: <c>/&lt;major&gt;.x/x86_64/tcz/NAME.tcz</c> with
/// NAME.tcz.md5.txt (md5sum's line) and NAME.tcz.dep where the extension has dependencies; anything else is 404.
/// </summary>
internal sealed class TinyCoreMirrorServer : IAsyncDisposable
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    private TinyCoreMirrorServer(int major) => Directory = $"/{major}.x/x86_64/tcz/";

    public LoopbackHttpServer Http { get; private set; } = null!;

    public string Directory { get; }

    public static async Task<TinyCoreMirrorServer> StartAsync(int major = 10)
    {
        var server = new TinyCoreMirrorServer(major);
        server.Http = await LoopbackHttpServer.StartAsync(server.HandleAsync);
        return server;
    }

    /// <summary>Publishes an extension: its bytes, its md5 file (or a wrong one), and its .dep when it has dependencies.</summary>
    public void Add(string name, byte[] content, IReadOnlyList<string>? dependencies = null, bool wrongMd5 = false)
    {
        _files[name] = content;
#pragma warning disable CA5351 // md5 is what Tiny Core publishes
        var md5 = Convert.ToHexStringLower(MD5.HashData(wrongMd5 ? [.. content, 0] : content));
#pragma warning restore CA5351
        _files[name + ".md5.txt"] = System.Text.Encoding.ASCII.GetBytes($"{md5}  {name}\n");
        if (dependencies is { Count: > 0 })
        {
            _files[name + ".dep"] = System.Text.Encoding.ASCII.GetBytes(string.Join('\n', dependencies) + "\n");
        }
    }

    public int RequestsFor(string fileName) => Http.Requests.Count(r => r.PathAndQuery == Directory + fileName);

    public ValueTask DisposeAsync() => Http.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.StartsWith(Directory, StringComparison.Ordinal) && _files.TryGetValue(path[Directory.Length..], out var content))
        {
            await LoopbackResponses.FileAsync(context, content, $"\"{path.GetHashCode(StringComparison.Ordinal):x}\"");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }
}
