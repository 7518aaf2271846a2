using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Dapper;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>What became of one request, as a client that cannot see inside the host knows it.</summary>
internal enum RequestOutcome
{
    /// <summary>Answered 2xx: the coordinator took the event (200 applied, 202 accepted without waiting).</summary>
    Accepted,

    /// <summary>Answered 409: the coordinator refused it with a reason; nothing changed.</summary>
    Rejected,

    /// <summary>Certainly not applied: the connection was refused (host down) or the instance was still starting (503).</summary>
    NotApplied,

    /// <summary>No answer (reset, timeout) or a 5xx: it may or may not have been applied.</summary>
    Unknown,

    /// <summary>Answered 400 or 404: the driver sent something wrong (a harness bug, reported as such).</summary>
    Invalid,
}

/// <summary>A progress note the driver sent, identified by the unique token that is its whole text.</summary>
internal sealed record SentNote(string InstanceId, string StepId, string Token, RequestOutcome Outcome, int StatusCode);

/// <summary>
/// Plays every role of the B2B onboarding for many instances at once, through the public API only,
/// while a test breaks the host or its stores underneath: per active step a few progress notes (each
/// carrying a unique token as its text), then <c>done</c>; on the IT set-up of some instances first
/// <c>blocked</c>, then the IT lead's <c>decide</c>. Several steps of one instance get their events in
/// the same moment (a note on one branch while another branch is finished), so turns often find more
/// than one event waiting.
/// <para>
/// It keeps an honest ledger. A note answered 2xx is <em>accepted</em> and must appear exactly once in
/// the audit; a note that got no answer is <em>unknown</em> and is never resent (it must appear at most
/// once). A state change (done, blocked, decide) is idempotent-safe: the engine refuses a second one in
/// the same state, so it is sent again when its outcome is unknown and the step still shows the old
/// status after <see cref="RetryUnknownAfter"/>. An accepted state change that has no effect for
/// <see cref="LostAfter"/> is recorded as lost and sent again (so the run goes on); these times count
/// from the start of the current drive at the earliest (an event sent during an outage, before the
/// drive, may take effect only once the store is back). A step's
/// <c>done</c> waits until its accepted notes are in the audit (at most <see cref="NotesConfirmTimeout"/>),
/// so that no note can be refused for arriving after the step finished.
/// </para>
/// </summary>
internal sealed class EventDriver : IAsyncDisposable
{
    public const string LastStep = "handover";
    private const string ProgressAction = "step.progress";
    private static readonly TimeSpan RetryUnknownAfter = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan NotesConfirmTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan HeldNoteSpacing = TimeSpan.FromSeconds(5);

    private readonly CoordinatorDeployment _deployment;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _requests;
    private readonly SemaphoreSlim _confirming = new(1, 1);
    private readonly int _seed;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, Tracked> _instances = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string InstanceId, string Token), byte> _confirmed = new();
    private readonly ConcurrentQueue<SentNote> _notes = new();
    private readonly ConcurrentDictionary<string, int> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _lostStateEvents = new();
    private readonly ConcurrentQueue<AcceptedStateEvent> _acceptedStateEvents = new();
    private readonly ConcurrentQueue<ConflictingDone> _conflictingDones = new();
    private readonly ConcurrentQueue<string> _harnessProblems = new();
    private readonly ConcurrentDictionary<string, int> _rejections = new(StringComparer.Ordinal);
    private long _lastConfirmedSeq;
    private long _lastProgressTicks;
    private long _driveStartedTicks;
    private int _stateAccepted;
    private int _stateUnknown;

    public EventDriver(CoordinatorDeployment deployment, int seed, int maxConcurrentRequests = 16)
    {
        _deployment = deployment;
        _seed = seed;
        _http = deployment.CreateHttpClient(TimeSpan.FromSeconds(30));
        // One connection per request. The HTTP stack resends a request by itself when a reused connection
        // dies before the answer, which a killed host may already have acted on; on a new connection a
        // connection error means the request was never sent, so "not applied" stays true.
        _http.DefaultRequestHeaders.ConnectionClose = true;
        _requests = new SemaphoreSlim(maxConcurrentRequests, maxConcurrentRequests);
    }

    /// <summary>How many progress notes each step gets before its <c>done</c> (inclusive bounds).</summary>
    public (int Min, int Max) NotesPerStep { get; init; } = (1, 2);

    /// <summary>While this task has not completed, the last step (<see cref="LastStep"/>) gets notes instead of its <c>done</c>, so events keep arriving.</summary>
    public Task? HoldLastStepUntil { get; set; }

    /// <summary>A drive gives up when no step of any instance has changed for this long (a wedged host or instance: waiting longer proves nothing more).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Whether the last drive gave up because nothing moved for <see cref="StallTimeout"/>.</summary>
    public bool Stalled { get; private set; }

    /// <summary>
    /// Half of the steps' <c>done</c> (seeded) are sent twice at the same moment, each waiting for its
    /// outcome; through a fleet's round-robin client the two go to different hosts. At most one may take
    /// effect (see <see cref="ConflictingDones"/>).
    /// </summary>
    public bool SendConflictingDones { get; init; }

    /// <summary>Every pair of simultaneous <c>done</c> sent (with <see cref="SendConflictingDones"/>), with both answers.</summary>
    public IReadOnlyCollection<ConflictingDone> ConflictingDones => [.. _conflictingDones];

    /// <summary>At most this many notes on the held last step of one instance.</summary>
    public int MaxHeldNotes { get; init; } = 8;

    public IEnumerable<string> InstanceIds => _instances.Keys;

    public IReadOnlyList<SentNote> Notes => [.. _notes];

    public IEnumerable<SentNote> AcceptedNotes => _notes.Where(n => n.Outcome == RequestOutcome.Accepted);

    public int StateEventsAccepted => _stateAccepted;

    public int StateEventsUnknown => _stateUnknown;

    /// <summary>Accepted state changes that showed no effect for <see cref="LostAfter"/> (late: a stall; or lost, which the audit tells by event id).</summary>
    public IReadOnlyCollection<string> LostStateEvents => [.. _lostStateEvents];

    /// <summary>Every state change answered 2xx, with the event id the API gave it.</summary>
    public IReadOnlyCollection<AcceptedStateEvent> AcceptedStateEvents => [.. _acceptedStateEvents];

    public IReadOnlyCollection<string> HarnessProblems => [.. _harnessProblems];

    /// <summary>The final view of every instance that ended (completed, failed or terminated).</summary>
    public IReadOnlyDictionary<string, JsonElement> Final => _instances.Where(i => i.Value.Final is not null).ToDictionary(i => i.Key, i => i.Value.Final!.Value);

    /// <summary>Answers by status code (or <c>refused</c>, <c>reset</c>, <c>timeout</c>), for the report.</summary>
    public string AnswerSummary => string.Join(", ", _answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}: {a.Value}"));

    /// <summary>The most frequent 409 reasons (state changes sent on a stale view are refused; that is expected).</summary>
    public string RejectionSummary => string.Join("; ", _rejections.OrderByDescending(r => r.Value).Take(4).Select(r => $"{r.Value}x {r.Key}"));

    /// <summary>Starts driving an instance (index: its place in the test, for tokens and its own seeded choices).</summary>
    public void Track(string instanceId, int index, bool blockItSetup)
    {
        var random = new Random(unchecked((_seed * 397) ^ index));
        _instances[instanceId] = new Tracked(instanceId, index, blockItSetup, random, NotesPerStep);
    }

    /// <summary>
    /// Drives every tracked instance until each has ended (completed, failed or terminated), or
    /// <paramref name="timeout"/> passes, or <paramref name="cancellationToken"/> is cancelled (the caller's
    /// deadline); returns the ids still running then.
    /// </summary>
    public async Task<IReadOnlyList<string>> DriveAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var stopWatcher = new CancellationTokenSource();
        Stalled = false;
        var watcher = WatchAuditAsync(stopWatcher.Token);
        Interlocked.Exchange(ref _lastProgressTicks, _clock.Elapsed.Ticks);
        Interlocked.Exchange(ref _driveStartedTicks, _clock.Elapsed.Ticks);
        var actors = _instances.Values.Where(i => i.Final is null).Select(i => ActAsync(i, cts.Token)).ToArray();
        var stall = WatchStallAsync(cts, stopWatcher.Token);
        try
        {
            await Task.WhenAll(actors);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // Timed out or stopped by the caller: the caller reports which instances are still running.
        }
        finally
        {
            await stopWatcher.CancelAsync();
            await watcher;
            await stall;
        }
        return [.. _instances.Values.Where(i => i.Final is null).Select(i => i.InstanceId)];
    }

    /// <summary>
    /// Posts one progress note with a fresh token on a step, as <paramref name="by"/>; recorded in the
    /// ledger and in the step's tracking (its <c>done</c> then waits for the note to be audited).
    /// </summary>
    public async Task<SentNote> PostNoteAsync(string instanceId, string stepId, string by, CancellationToken cancellationToken = default)
    {
        var tracked = _instances[instanceId];
        var token = NewToken(tracked, stepId);
        var (outcome, code, _) = await PostAsync(instanceId, stepId, new { type = "progress", by, text = token }, cancellationToken, tracked.AnswerAtOnce());
        var note = new SentNote(instanceId, stepId, token, outcome, code);
        if (outcome is RequestOutcome.NotApplied or RequestOutcome.Invalid)
            return note; // never reached the engine: nothing to account for
        _notes.Enqueue(note);
        var track = tracked.Step(stepId);
        track.NotesPosted++;
        track.LastNoteAt = _clock.Elapsed;
        if (outcome == RequestOutcome.Accepted)
            track.AcceptedTokens.Add(token);
        return note;
    }

    /// <summary>
    /// Posts a state change (done, blocked, decide) on a step that shows <paramref name="statusAtPost"/>;
    /// counted in the ledger, and the step's tracking waits for it to take effect.
    /// </summary>
    public async Task<RequestOutcome> PostStateEventAsync(string instanceId, string stepId, string statusAtPost, string type, object body, CancellationToken cancellationToken = default)
    {
        var (outcome, _, answer) = await PostAsync(instanceId, stepId, body, cancellationToken, _instances[instanceId].AnswerAtOnce());
        if (outcome == RequestOutcome.Accepted)
        {
            Interlocked.Increment(ref _stateAccepted);
            _acceptedStateEvents.Enqueue(new AcceptedStateEvent(instanceId, stepId, type, EventIdOf(answer), _clock.Elapsed));
        }
        else if (outcome == RequestOutcome.Unknown)
            Interlocked.Increment(ref _stateUnknown);
        if (outcome is RequestOutcome.Accepted or RequestOutcome.Unknown)
            _instances[instanceId].Step(stepId).Pending = new PendingChange(statusAtPost, type, outcome, _clock.Elapsed);
        return outcome;
    }

    /// <summary>The instance view, or null when the host did not answer 200 (down, starting, its store down).</summary>
    public async Task<JsonElement?> TryGetAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _http.GetAsync($"/api/instances/{Uri.EscapeDataString(instanceId)}", cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
                _harnessProblems.Enqueue($"GET {instanceId}: 404 {await response.Content.ReadAsStringAsync(cancellationToken)}");
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken) : null;
        }
        // A raw SocketException: the host was killed between accepting the connection and the client reading its address.
        catch (Exception e) when (e is HttpRequestException or JsonException or SocketException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>Reads the progress notes the audit holds so far (once); false when PostgreSQL did not answer.</summary>
    public async Task<bool> ConfirmNotesAsync(CancellationToken cancellationToken = default)
    {
        await _confirming.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await _deployment.Database.OpenConnectionAsync(cancellationToken);
            var rows = await connection.QueryAsync<(long Seq, string InstanceId, string? Text)>(new CommandDefinition(
                "SELECT seq, instance_id, detail ->> 'text' FROM audit_log WHERE seq > @last AND action = @action ORDER BY seq",
                new { last = _lastConfirmedSeq, action = ProgressAction }, cancellationToken: cancellationToken));
            foreach (var (seq, instanceId, text) in rows)
            {
                if (text is not null)
                    _confirmed.TryAdd((instanceId, text), 0);
                _lastConfirmedSeq = Math.Max(_lastConfirmedSeq, seq);
            }
            return true;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            _deployment.Database.Clear();
            return false;
        }
        finally
        {
            _confirming.Release();
        }
    }

    public bool IsConfirmed(SentNote note) => _confirmed.ContainsKey((note.InstanceId, note.Token));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _requests.Dispose();
        _confirming.Dispose();
        await Task.CompletedTask;
    }

    /// <summary>Gives up (cancels the drive) when no step of any instance has changed for <see cref="StallTimeout"/>.</summary>
    private async Task WatchStallAsync(CancellationTokenSource drive, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && !drive.IsCancellationRequested)
        {
            // Holding the last steps back is the test's doing, not a stall.
            if (HoldLastStepUntil is { IsCompleted: false })
                Interlocked.Exchange(ref _lastProgressTicks, _clock.Elapsed.Ticks);
            if (_clock.Elapsed - TimeSpan.FromTicks(Interlocked.Read(ref _lastProgressTicks)) > StallTimeout)
            {
                Stalled = true;
                await drive.CancelAsync();
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchAuditAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await ConfirmNotesAsync(CancellationToken.None);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ActAsync(Tracked instance, CancellationToken cancellationToken)
    {
        JsonElement? lastView = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fresh = await TryGetAsync(instance.InstanceId, cancellationToken);
            // A client that cannot read the instance (host or store down) still reports what it did,
            // from what it saw last: events keep arriving during an outage.
            if ((fresh ?? lastView) is not { } view)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                continue;
            }
            if (fresh is { } seen)
            {
                var fingerprint = string.Join(',', seen.GetProperty("steps").EnumerateArray().Select(st => st.GetProperty("status").GetString()))
                    + seen.GetProperty("status").GetString();
                if (fingerprint != instance.Fingerprint)
                {
                    instance.Fingerprint = fingerprint;
                    Interlocked.Exchange(ref _lastProgressTicks, _clock.Elapsed.Ticks);
                }
            }
            lastView = view;
            var status = view.GetProperty("status").GetString();
            if (status is "completed" or "failed" or "terminated")
            {
                if (fresh is not null)
                {
                    instance.Final = view;
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                continue;
            }

            var round = new List<Task>();
            foreach (var step in view.GetProperty("steps").EnumerateArray())
            {
                if (NextRequest(instance, step, cancellationToken) is { } request)
                    round.Add(request);
            }
            await Task.WhenAll(round);
            await Task.Delay(TimeSpan.FromMilliseconds(instance.Random.Next(fresh is null ? 500 : 150, fresh is null ? 1000 : 400)), cancellationToken);
        }
    }

    /// <summary>
    /// How long ago <paramref name="at"/> was, counted from the start of the current drive at the
    /// earliest: an event sent during an outage, before the drive, cannot have taken effect before it.
    /// </summary>
    private TimeSpan Since(TimeSpan at)
    {
        var driveStarted = TimeSpan.FromTicks(Interlocked.Read(ref _driveStartedTicks));
        return _clock.Elapsed - (at > driveStarted ? at : driveStarted);
    }

    /// <summary>What to send for one step of a fresh view, if anything.</summary>
    private Task? NextRequest(Tracked instance, JsonElement step, CancellationToken cancellationToken)
    {
        var stepId = step.GetProperty("stepId").GetString()!;
        var status = step.GetProperty("status").GetString()!;
        var owner = step.GetProperty("owners").EnumerateArray().Select(o => o.GetString()).FirstOrDefault() ?? "";
        var track = instance.Step(stepId);
        var now = _clock.Elapsed;

        if (track.Pending is { } pending)
        {
            if (status != pending.Status)
            {
                track.Pending = null; // it took effect
            }
            else if (pending.Outcome == RequestOutcome.Accepted && Since(pending.At) > LostAfter)
            {
                _lostStateEvents.Enqueue(
                    $"{instance.InstanceId} {stepId}: {pending.Type} answered 2xx at {pending.At.TotalSeconds:F0} s, still {status} {Since(pending.At).TotalSeconds:F0} s into the drive");
                track.Pending = null;
            }
            else if (pending.Outcome == RequestOutcome.Unknown && Since(pending.At) > RetryUnknownAfter)
            {
                track.Pending = null;
            }
            else
            {
                return null;
            }
        }

        if (status == "blocked")
        {
            track.SeenBlocked = true;
            return SendStateAsync(instance, stepId, status, "decide", new { type = "decide", by = "it.lead", option = "temporary-accounts" }, cancellationToken);
        }
        if (status != "active")
            return null;

        if (track.NotesPosted < track.NotesTarget)
            return SendNoteAsync(instance, stepId, owner, cancellationToken);
        if (stepId == LastStep && HoldLastStepUntil is { IsCompleted: false })
        {
            return track.NotesPosted < track.NotesTarget + MaxHeldNotes && now - track.LastNoteAt >= HeldNoteSpacing
                ? SendNoteAsync(instance, stepId, owner, cancellationToken)
                : null;
        }
        if (track.AcceptedTokens.Any(t => !_confirmed.ContainsKey((instance.InstanceId, t))) && Since(track.LastNoteAt) < NotesConfirmTimeout)
            return null;

        return stepId == "it-setup" && instance.BlockItSetup && !track.SeenBlocked
            ? SendStateAsync(instance, stepId, status, "blocked", new { type = "blocked", by = owner, reason = "customer IdP undecided" }, cancellationToken)
            : SendConflictingDones && instance.CoinFlip()
                ? SendConflictingDoneAsync(instance, stepId, status, owner, cancellationToken)
                : SendStateAsync(instance, stepId, status, "done", new { type = "done", by = owner }, cancellationToken);
    }

    /// <summary>
    /// The same <c>done</c> twice at once, both waiting up to the API's longest wait (30 s) for their
    /// outcome, so that each answer says whether it took effect even while a killed host's partitions
    /// change hands. Kept out of <see cref="AcceptedStateEvents"/>: the pair is judged as a pair (at most
    /// one applied; with two definite answers, one 200 and one 409).
    /// </summary>
    private async Task SendConflictingDoneAsync(Tracked instance, string stepId, string status, string owner, CancellationToken cancellationToken)
    {
        var body = new { type = "done", by = owner };
        var answers = await Task.WhenAll(
            PostAsync(instance.InstanceId, stepId, body, cancellationToken, waitSeconds: 30),
            PostAsync(instance.InstanceId, stepId, body, cancellationToken, waitSeconds: 30));
        var (first, second) = (answers[0], answers[1]);
        _conflictingDones.Enqueue(new ConflictingDone(
            instance.InstanceId, stepId, (first.Outcome, first.StatusCode, EventIdOf(first.Body)), (second.Outcome, second.StatusCode, EventIdOf(second.Body))));
        var outcomes = new[] { first.Outcome, second.Outcome };
        if (outcomes.Contains(RequestOutcome.Accepted))
        {
            Interlocked.Increment(ref _stateAccepted);
            instance.Step(stepId).Pending = new PendingChange(status, "done", RequestOutcome.Accepted, _clock.Elapsed);
        }
        else if (outcomes.Contains(RequestOutcome.Unknown))
        {
            Interlocked.Increment(ref _stateUnknown);
            instance.Step(stepId).Pending = new PendingChange(status, "done", RequestOutcome.Unknown, _clock.Elapsed);
        }
    }

    private Task SendNoteAsync(Tracked instance, string stepId, string owner, CancellationToken cancellationToken) =>
        PostNoteAsync(instance.InstanceId, stepId, owner, cancellationToken);

    private Task SendStateAsync(Tracked instance, string stepId, string status, string type, object body, CancellationToken cancellationToken) =>
        PostStateEventAsync(instance.InstanceId, stepId, status, type, body, cancellationToken);

    /// <summary>
    /// Posts an event. Half of them (seeded) ask to be answered at once (<c>?wait=0</c>: 202 when the
    /// API waits for outcomes), the others wait for the outcome as the API's default does; a host that
    /// does not know the parameter ignores it.
    /// </summary>
    private async Task<(RequestOutcome Outcome, int StatusCode, string Body)> PostAsync(
        string instanceId, string stepId, object body, CancellationToken cancellationToken, bool answerAtOnce = false, int? waitSeconds = null)
    {
        await _requests.WaitAsync(cancellationToken);
        try
        {
            var wait = answerAtOnce ? "?wait=0" : waitSeconds is { } seconds ? $"?wait={seconds}" : "";
            using var response = await _http.PostAsJsonAsync(
                $"/api/instances/{Uri.EscapeDataString(instanceId)}/steps/{Uri.EscapeDataString(stepId)}/events{wait}", body, cancellationToken);
            var code = (int)response.StatusCode;
            Count(code.ToString(CultureInfo.InvariantCulture));
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var outcome = code switch
            {
                >= 200 and < 300 => RequestOutcome.Accepted,
                409 => RequestOutcome.Rejected,
                503 => RequestOutcome.NotApplied,
                400 or 404 or 413 or 422 => RequestOutcome.Invalid,
                _ => RequestOutcome.Unknown,
            };
            if (outcome == RequestOutcome.Rejected)
                _rejections.AddOrUpdate(Reason(text), 1, (_, n) => n + 1);
            if (outcome == RequestOutcome.Invalid)
                _harnessProblems.Enqueue($"POST {instanceId}/{stepId} {JsonSerializer.Serialize(body)}: {code} {text}");
            return (outcome, code, text);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError || e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            Count("refused");
            return (RequestOutcome.NotApplied, 0, e.Message);
        }
        catch (SocketException e)
        {
            // Raised while connecting (the host was killed between accepting the connection and the client reading
            // its address, ENOTCONN): nothing was sent.
            Count("refused");
            return (RequestOutcome.NotApplied, 0, e.Message);
        }
        catch (HttpRequestException e)
        {
            Count("reset");
            return (RequestOutcome.Unknown, 0, e.Message);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            Count("timeout");
            return (RequestOutcome.Unknown, 0, e.Message);
        }
        finally
        {
            _requests.Release();
        }
    }

    private void Count(string answer) => _answers.AddOrUpdate(answer, 1, (_, n) => n + 1);

    private static string Reason(string problem)
    {
        try
        {
            var detail = JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString() ?? "";
            // Strip instance-specific parts (ids, times) so that equal reasons group.
            var cut = detail.IndexOfAny(['(', '\'']);
            return cut > 0 ? detail[..cut].Trim() : detail;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return problem.Length > 60 ? problem[..60] : problem;
        }
    }

    private static string NewToken(Tracked instance, string stepId)
    {
        var n = Interlocked.Increment(ref instance.TokenCount);
        return string.Concat(
            "tok-", instance.Index.ToString("D2", CultureInfo.InvariantCulture), "-", stepId, "-",
            n.ToString("D3", CultureInfo.InvariantCulture), "-", Guid.NewGuid().ToString("N")[..12]);
    }

    private sealed class Tracked(string instanceId, int index, bool blockItSetup, Random random, (int Min, int Max) notesPerStep)
    {
        private readonly ConcurrentDictionary<string, StepTrack> _steps = new(StringComparer.Ordinal);
        public int TokenCount;

        public string InstanceId { get; } = instanceId;

        public int Index { get; } = index;

        public bool BlockItSetup { get; } = blockItSetup;

        public Random Random { get; } = random;

        public JsonElement? Final { get; set; }

        public string? Fingerprint { get; set; }

        /// <summary>Whether the next event asks to be answered at once (seeded coin; thread-safe like <see cref="Step"/>).</summary>
        public bool AnswerAtOnce() => CoinFlip();

        /// <summary>A seeded coin, thread-safe like <see cref="Step"/>.</summary>
        public bool CoinFlip()
        {
            lock (_steps)
                return Random.Next(2) == 0;
        }

        public StepTrack Step(string stepId)
        {
            // Requests of one round finish on different threads; Random is not thread-safe.
            lock (_steps)
                return _steps.GetOrAdd(stepId, _ => new StepTrack(Random.Next(notesPerStep.Min, notesPerStep.Max + 1)));
        }
    }

    private sealed class StepTrack(int notesTarget)
    {
        public int NotesTarget { get; } = notesTarget;

        public int NotesPosted { get; set; }

        public TimeSpan LastNoteAt { get; set; } = TimeSpan.MinValue / 2;

        public ConcurrentBag<string> AcceptedTokens { get; } = [];

        public bool SeenBlocked { get; set; }

        public PendingChange? Pending { get; set; }
    }

    private static string? EventIdOf(string answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            return document.RootElement.TryGetProperty("eventId", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Two identical <c>done</c> sent at the same moment: each answer's outcome, status code and event id (null when it did not say).</summary>
    public sealed record ConflictingDone(
        string InstanceId, string StepId, (RequestOutcome Outcome, int Code, string? EventId) First, (RequestOutcome Outcome, int Code, string? EventId) Second);

    /// <summary>A state change the API answered 2xx, and the id it gave the event (null when the answer did not say).</summary>
    public sealed record AcceptedStateEvent(string InstanceId, string StepId, string Type, string? EventId, TimeSpan At);

    private sealed record PendingChange(string Status, string Type, RequestOutcome Outcome, TimeSpan At);
}
