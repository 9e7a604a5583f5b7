namespace Boot2IsoKit.Formats.Elf;

/// <summary>EI_CLASS: the width of addresses and offsets.</summary>
public enum ElfClass
{
    Elf32 = 1,
    Elf64 = 2,
}

/// <summary>EI_DATA: the byte order of every multi-byte field.</summary>
public enum ElfByteOrder
{
    LittleEndian = 1,
    BigEndian = 2,
}

/// <summary>e_type.</summary>
internal enum ElfType
{
    None = 0,
    Relocatable = 1,
    Executable = 2,
    SharedObject = 3,
    Core = 4,
}

/// <summary>The e_machine values the toolkit names; any other value is kept as a number.</summary>
internal static class ElfMachine
{
    public const int X86 = 3;
    public const int Arm = 40;
    public const int Amd64 = 62;
    public const int AArch64 = 183;

    public static string Name(int machine) => machine switch
    {
        X86 => "i386",
        Arm => "arm",
        Amd64 => "x86-64",
        AArch64 => "aarch64",
        _ => $"machine {machine}",
    };
}
