using Boot2IsoKit.Stages.MachineCache;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.MachineCache;

/// <summary>Reads /etc/os-release from the ISO's own file tree with xorriso (the small test ISOs have no initrd).</summary>
internal sealed class XorrisoOsReleaseProbe : IOsReleaseProbe
{
    public string? ReadOsRelease(string isoPath)
    {
        var target = Path.Combine(Path.GetTempPath(), $"b2ik-os-release-{Guid.NewGuid():N}");
        try
        {
            var result = ExternalTool.RunAsync("xorriso", ["-osirrox", "on", "-indev", isoPath, "-extract", "/etc/os-release", target])
                .GetAwaiter().GetResult();
            return result.ExitCode == 0 && File.Exists(target) ? File.ReadAllText(target) : null;
        }
        finally
        {
            File.Delete(target);
        }
    }
}
