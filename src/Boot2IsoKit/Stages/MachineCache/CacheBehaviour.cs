namespace Boot2IsoKit.Stages.MachineCache;

/// <summary>What a default <c>docker-machine create</c> (no boot2docker URL) does with the seeded cache ISO.</summary>
public enum CacheBehaviour
{
    /// <summary>The label's version equals upstream's latest tag: kept online and offline.</summary>
    KeptOnlineAndOffline,

    /// <summary>Kept while GitHub is unreachable; replaced by upstream's ISO when GitHub answers.</summary>
    KeptOfflineReplacedOnline,

    /// <summary>docker-machine cannot parse the label: create fails offline and re-downloads online.</summary>
    Refused,
}
