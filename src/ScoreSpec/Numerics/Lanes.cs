using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ScoreSpec.Numerics;

/// <summary>
/// A SIMD register of doubles as the ensemble kernels use it: lane-wise arithmetic, fused multiply-add, comparisons that
/// give all-ones masks, and bit operations on the lanes' 64-bit patterns. The kernels are written once against this
/// interface and compiled by the JIT for each register type (<see cref="VectorLanes"/>, the portable
/// <see cref="Vector{T}"/>; <see cref="Lanes512"/>, 512-bit registers where the processor has them). Every operation is
/// lane by lane and correctly rounded, so a lane's bits do not depend on the register width.
/// </summary>
internal interface ILanes<T> where T : struct, ILanes<T>
{
    static abstract int Count { get; }
    static abstract T Of(double value);
    static abstract T OfBits(long bits);
    static abstract T Load(ref double origin, nint offset);
    static abstract void Store(T value, ref double origin, nint offset);
    static abstract T operator +(T a, T b);
    static abstract T operator -(T a, T b);
    static abstract T operator *(T a, T b);
    static abstract T operator /(T a, T b);
    static abstract T operator -(T a);
    static abstract T Fma(T a, T b, T c);
    static abstract T Min(T a, T b);
    static abstract T Max(T a, T b);
    static abstract T Sqrt(T a);
    static abstract T Abs(T a);
    static abstract T Less(T a, T b);
    static abstract T Greater(T a, T b);
    static abstract T LessOrEqual(T a, T b);
    static abstract T Equal(T a, T b);
    /// <summary>Lanes of <paramref name="whenTrue"/> where the mask is all ones, of <paramref name="whenFalse"/> where it is zero.</summary>
    static abstract T Select(T mask, T whenTrue, T whenFalse);
    static abstract T And(T a, T b);
    static abstract T Or(T a, T b);
    static abstract T Xor(T a, T b);
    static abstract T AddBits(T a, T b);
    static abstract T SubtractBits(T a, T b);
    static abstract T EqualBits(T a, T b);
    static abstract T ShiftLeftBits(T a, int count);
    static abstract T ShiftRightBits(T a, int count);
    /// <summary>True when every lane of the mask is all ones.</summary>
    static abstract bool All(T mask);
    static abstract double First(T a);
}

/// <summary>The portable register, <see cref="Vector{T}"/> of double (256 bits on x64 with AVX2, 128 on Arm64).</summary>
internal readonly struct VectorLanes(Vector<double> v) : ILanes<VectorLanes>
{
    private readonly Vector<double> v = v;
    private static Vector<long> L(VectorLanes a) => Vector.AsVectorInt64(a.v);
    private static VectorLanes D(Vector<long> a) => new(Vector.AsVectorDouble(a));
    public static int Count => Vector<double>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Of(double value) => new(new Vector<double>(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes OfBits(long bits) => D(new Vector<long>(bits));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Load(ref double origin, nint offset) => new(Vector.LoadUnsafe(ref origin, (nuint)offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(VectorLanes value, ref double origin, nint offset) => value.v.StoreUnsafe(ref origin, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes operator +(VectorLanes a, VectorLanes b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes operator -(VectorLanes a, VectorLanes b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes operator *(VectorLanes a, VectorLanes b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes operator /(VectorLanes a, VectorLanes b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes operator -(VectorLanes a) => new(-a.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Fma(VectorLanes a, VectorLanes b, VectorLanes c) => new(Vector.FusedMultiplyAdd(a.v, b.v, c.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Min(VectorLanes a, VectorLanes b) => new(Vector.Min(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Max(VectorLanes a, VectorLanes b) => new(Vector.Max(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Sqrt(VectorLanes a) => new(Vector.SquareRoot(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Abs(VectorLanes a) => new(Vector.Abs(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Less(VectorLanes a, VectorLanes b) => D(Vector.LessThan(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Greater(VectorLanes a, VectorLanes b) => D(Vector.GreaterThan(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes LessOrEqual(VectorLanes a, VectorLanes b) => D(Vector.LessThanOrEqual(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Equal(VectorLanes a, VectorLanes b) => D(Vector.Equals(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Select(VectorLanes mask, VectorLanes whenTrue, VectorLanes whenFalse) => new(Vector.ConditionalSelect(L(mask), whenTrue.v, whenFalse.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes And(VectorLanes a, VectorLanes b) => D(L(a) & L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Or(VectorLanes a, VectorLanes b) => D(L(a) | L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes Xor(VectorLanes a, VectorLanes b) => D(L(a) ^ L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes AddBits(VectorLanes a, VectorLanes b) => D(L(a) + L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes SubtractBits(VectorLanes a, VectorLanes b) => D(L(a) - L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes EqualBits(VectorLanes a, VectorLanes b) => D(Vector.Equals(L(a), L(b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes ShiftLeftBits(VectorLanes a, int count) => D(Vector.ShiftLeft(L(a), count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VectorLanes ShiftRightBits(VectorLanes a, int count) => D(Vector.ShiftRightLogical(L(a), count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool All(VectorLanes mask) => L(mask) == Vector<long>.AllBitsSet;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double First(VectorLanes a) => a.v[0];
}

/// <summary>The 512-bit register (eight doubles), used where <see cref="Vector512.IsHardwareAccelerated"/>.</summary>
internal readonly struct Lanes512(Vector512<double> v) : ILanes<Lanes512>
{
    private readonly Vector512<double> v = v;
    private static Vector512<long> L(Lanes512 a) => a.v.AsInt64();
    private static Lanes512 D(Vector512<long> a) => new(a.AsDouble());
    public static int Count => Vector512<double>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Of(double value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 OfBits(long bits) => D(Vector512.Create(bits));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Load(ref double origin, nint offset) => new(Vector512.LoadUnsafe(ref origin, (nuint)offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes512 value, ref double origin, nint offset) => value.v.StoreUnsafe(ref origin, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 operator +(Lanes512 a, Lanes512 b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 operator -(Lanes512 a, Lanes512 b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 operator *(Lanes512 a, Lanes512 b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 operator /(Lanes512 a, Lanes512 b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 operator -(Lanes512 a) => new(-a.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Fma(Lanes512 a, Lanes512 b, Lanes512 c) => new(Vector512.FusedMultiplyAdd(a.v, b.v, c.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Min(Lanes512 a, Lanes512 b) => new(Vector512.Min(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Max(Lanes512 a, Lanes512 b) => new(Vector512.Max(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Sqrt(Lanes512 a) => new(Vector512.Sqrt(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Abs(Lanes512 a) => new(Vector512.Abs(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Less(Lanes512 a, Lanes512 b) => new(Vector512.LessThan(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Greater(Lanes512 a, Lanes512 b) => new(Vector512.GreaterThan(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 LessOrEqual(Lanes512 a, Lanes512 b) => new(Vector512.LessThanOrEqual(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Equal(Lanes512 a, Lanes512 b) => new(Vector512.Equals(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Select(Lanes512 mask, Lanes512 whenTrue, Lanes512 whenFalse) => new(Vector512.ConditionalSelect(mask.v, whenTrue.v, whenFalse.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 And(Lanes512 a, Lanes512 b) => D(L(a) & L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Or(Lanes512 a, Lanes512 b) => D(L(a) | L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 Xor(Lanes512 a, Lanes512 b) => D(L(a) ^ L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 AddBits(Lanes512 a, Lanes512 b) => D(L(a) + L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 SubtractBits(Lanes512 a, Lanes512 b) => D(L(a) - L(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 EqualBits(Lanes512 a, Lanes512 b) => D(Vector512.Equals(L(a), L(b)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 ShiftLeftBits(Lanes512 a, int count) => D(Vector512.ShiftLeft(L(a), count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes512 ShiftRightBits(Lanes512 a, int count) => D(Vector512.ShiftRightLogical(L(a), count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool All(Lanes512 mask) => Vector512.EqualsAll(L(mask), Vector512<long>.AllBitsSet);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double First(Lanes512 a) => a.v.GetElement(0);
}
