using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Formats.Initramfs;

/// <summary>A temporary directory for one test, and a shell to run the reference tools in it.</summary>
internal sealed class Scratch : IDisposable
{
    public Scratch()
    {
        Root = Directory.CreateTempSubdirectory("b2ik-initramfs-").FullName;
    }

    public string Root { get; }

    public string this[string relative] => Path.Combine(Root, relative);

    /// <summary>Runs a bash command line in the scratch directory; fails the test when it fails.</summary>
    public async Task<string> Sh(string command)
    {
        Requires.Tool("bash");
        var result = await ExternalTool.RunAsync("bash", ["-euo", "pipefail", "-c", command], Root, TimeSpan.FromMinutes(5), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, $"`{command}` exited with {result.ExitCode}:\n{result.StandardError}\n{result.StandardOutput}");
        return result.StandardOutput;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
