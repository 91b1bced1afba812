using System.Linq.Expressions;
using System.Text.Json;

namespace Smarketing.Core.Scoring.Conditions;

/// <summary>
/// A rule's or gate's <c>when</c>. Each kind of condition is a type deriving from this one, in its own file, and
/// does everything a kind must do itself: it describes itself, writes its canonical form and compiles itself
/// (the abstract members below, so a kind that lacks one does not compile), and reads itself through the static
/// reader it registers in <see cref="ConditionKinds"/>.
/// </summary>
internal abstract record Condition
{
    /// <summary>The text explanation lines carry when the rule has no description, e.g. <c>industry in [SaaS, FinTech]</c>.</summary>
    public abstract string Describe();

    /// <summary>The description as an operand of <c>all</c>, <c>any</c> or <c>not</c>; a combination overrides it to parenthesise itself.</summary>
    public virtual string DescribeAsOperand() => Describe();

    /// <summary>
    /// Writes the condition's canonical form, which the model's version hashes: every property the kind has, in a
    /// fixed order, defaults spelled out. Changing what a kind writes changes the version of every model using it.
    /// </summary>
    public void WriteCanonical(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        WriteCanonicalProperties(writer);
        writer.WriteEndObject();
    }

    /// <summary>The condition as a boolean expression over the compiler's lead and clock, built once when the model loads.</summary>
    public abstract Expression Compile(ConditionCompiler compiler);

    /// <summary>The properties of <see cref="WriteCanonical"/>, inside the object it opens and closes.</summary>
    protected abstract void WriteCanonicalProperties(Utf8JsonWriter writer);
}
