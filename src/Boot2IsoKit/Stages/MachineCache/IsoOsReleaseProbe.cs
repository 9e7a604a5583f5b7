using Boot2IsoKit.Inputs.BaseIsos;

namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>Reads /etc/os-release from inside an ISO's initrd, for the seed-time check that it is boot2docker.</summary>
internal sealed class IsoOsReleaseProbe : IOsReleaseProbe
{
    public string? ReadOsRelease(string isoPath)
    {
        using var iso = BaseIso.Open(isoPath);
        return iso.ReadRootfsText("etc/os-release");
    }
}
