using System.Diagnostics;
using System.Text;

namespace Boot2IsoKit.Testing.Tools;

/// <summary>
/// Runs the reference tools the tests compare against (xorriso, isoinfo, 7z, bsdtar, readelf, qemu...)
/// and the tools the fixture builder uses. Output is captured, never echoed.
/// </summary>
internal static class ExternalTool
{
    /// <summary>Full path of a program on PATH, or null.</summary>
    public static string? Find(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static async Task<ToolResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        TimeSpan? timeout = null,
        Stream? standardOutput = null,
        IDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Find(program) ?? throw new MissingToolException(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        Task readOut = standardOutput is null
            ? Task.Run(async () => stdout.Append(await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false)), cancellationToken)
            : process.StandardOutput.BaseStream.CopyToAsync(standardOutput, cancellationToken);
        var readErr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            await readOut.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in {timeout ?? TimeSpan.FromMinutes(10)}");
        }

        return new ToolResult(program, [.. start.ArgumentList], process.ExitCode, stdout.ToString(), await readErr.ConfigureAwait(false));
    }

    public static async Task<ToolResult> RunCheckedAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(program, arguments, workingDirectory, timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        result.EnsureSuccess();
        return result;
    }
}

internal sealed record ToolResult(string Program, IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    public ToolResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Program} {string.Join(' ', Arguments)} exited with {ExitCode}:\n{Tail(StandardError)}\n{Tail(StandardOutput)}");
        }

        return this;
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "..." + text[^4000..];
}

internal sealed class MissingToolException(string tool)
    : Exception($"The tool '{tool}' is not installed (.ci/run installs it: see its apt-get line).")
{
    public string Tool { get; } = tool;
}
