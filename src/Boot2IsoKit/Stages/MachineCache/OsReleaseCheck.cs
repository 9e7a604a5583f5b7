namespace Boot2IsoKit.Stages.MachineCache;

public enum OsReleaseCheck
{
    /// <summary>No probe was given, so /etc/os-release was not read.</summary>
    NotChecked,

    /// <summary>/etc/os-release says ID=boot2docker.</summary>
    Boot2Docker,

    /// <summary>/etc/os-release is missing or names another ID.</summary>
    Failed,
}
