namespace Boot2IsoKit.Stages.Injection;

/// <summary>Why an injected binary cannot run on the target as it is; callers decide on this, never on the text.</summary>
internal enum LibraryProblemKind
{
    /// <summary>The binary is built for another machine or ELF class than the target's libc. Nothing helps.</summary>
    WrongArchitecture,

    /// <summary>The target lacks the binary's program interpreter (its dynamic loader).</summary>
    MissingInterpreter,

    /// <summary>The binary needs a part of glibc (libm, libpthread, ...) the target lacks; it cannot be mixed with the target's libc.</summary>
    MissingGlibcComponent,

    /// <summary>A library of the target lacks a symbol version the binary needs (typically a newer GLIBC_x.y).</summary>
    MissingSymbolVersion,

    /// <summary>The file has no program interpreter (static, or a library): there is nothing to bundle.</summary>
    NotDynamicExecutable,
}

/// <summary>One problem found while planning an injection: its kind and the sentence that explains it.</summary>
internal sealed record LibraryProblem(LibraryProblemKind Kind, string Text)
{
    /// <summary>Bundled-loader mode (the donor's own libc and loader) solves every kind but the wrong architecture.</summary>
    public bool BundlingHelps => Kind is not (LibraryProblemKind.WrongArchitecture or LibraryProblemKind.NotDynamicExecutable);

    public override string ToString() => Text;
}
