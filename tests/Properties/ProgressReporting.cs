using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("ScoreSpec.Properties.ProgressReporting", "ScoreSpec.Properties")]

namespace ScoreSpec.Properties;

/// <summary>
/// xunit's own test framework with one addition: when a test class finishes, a line "ClassName: N passed, M failed in S s"
/// goes to the runner as a diagnostic message (enabled in xunit.runner.json), so `dotnet test` reports progress class by
/// class instead of staying silent for minutes.
/// </summary>
public sealed class ProgressReporting(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName)
        => new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName name, ISourceInformationProvider source, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(name, source, diagnostics)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new XunitTestAssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, new ClassProgress(executionMessageSink, DiagnosticMessageSink), executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class ClassProgress(IMessageSink inner, IMessageSink diagnostics) : Xunit.LongLivedMarshalByRefObject, IMessageSink
    {
        private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is ITestClassFinished finished)
                diagnostics.OnMessage(new DiagnosticMessage(
                    $"[{clock.Elapsed:m\\:ss}] {finished.TestClass.Class.Name.Replace("ScoreSpec.Properties.", "")}: " +
                    $"{finished.TestsRun - finished.TestsFailed - finished.TestsSkipped} passed, {finished.TestsFailed} failed in {finished.ExecutionTime:F1} s"));
            return inner.OnMessage(message);
        }
    }
}
