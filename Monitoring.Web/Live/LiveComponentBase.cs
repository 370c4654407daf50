using Microsoft.AspNetCore.Components;

namespace Monitoring.Web.Live;

/// <summary>A component that follows the <see cref="LiveFeed"/>: it subscribes once when it becomes interactive,
/// gathers updates into batches (<see cref="LiveBatcher"/>), calls <see cref="OnLiveAsync"/> at most once per
/// <see cref="LiveInterval"/> and re-renders, and ends the subscription when it is disposed (aspire's
/// <c>Resources.razor.cs</c> pattern, written once).</summary>
/// <remarks>A derived component that overrides <see cref="OnInitialized"/> calls the base, or nothing subscribes.
/// Prerendering does not subscribe: that render ends with its request.</remarks>
public abstract class LiveComponentBase : ComponentBase, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    [Inject] public required LiveFeed Feed { get; init; }

    [Inject] public required TimeProvider Clock { get; init; }

    [Inject] public required ILogger<LiveComponentBase> Logger { get; init; }

    /// <summary>The shortest time between two batches. 500 ms keeps a component at ≤ 2 renders/s (SPEC §7).</summary>
    protected virtual TimeSpan LiveInterval => TimeSpan.FromMilliseconds(500);

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            _loop = FollowAsync(_stop.Token);
        }
    }

    /// <summary>Whether the component reacts to an update; the others never start a batch or a render. A page that
    /// only shows figures derived from task changes (the dashboard takes <see cref="StatsUpdate"/>) leaves out the
    /// changes themselves, so its render slot is free when the figures arrive.</summary>
    protected virtual bool Follows(LiveUpdate update) => true;

    /// <summary>Called on the renderer's context with what changed; the component re-renders afterwards.</summary>
    protected abstract Task OnLiveAsync(LiveBatch batch);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
        await DisposeAsyncCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>For a derived component's own clean-up; the subscription has ended when this runs.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        IAsyncEnumerable<LiveUpdate> updates;
        try
        {
            updates = Feed.Subscribe(cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            // The feed is full of leaked subscriptions; the page still works, it just does not update by itself.
            Logger.LogError(ex, "{Component} shows no live updates", GetType().Name);
            return;
        }

        await LiveBatcher.RunAsync(Followed(updates), LiveInterval, Clock, ApplyAsync, cancellationToken);

        async IAsyncEnumerable<LiveUpdate> Followed(IAsyncEnumerable<LiveUpdate> all)
        {
            await foreach (var update in all)
            {
                if (Follows(update))
                {
                    yield return update;
                }
            }
        }

        async Task ApplyAsync(LiveBatch batch)
        {
            try
            {
                await InvokeAsync(async () =>
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }

                    await OnLiveAsync(batch);
                    StateHasChanged();
                });
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One failed refresh must not end the page's live updates; the next batch tries again.
                Logger.LogError(ex, "{Component} failed to apply live updates", GetType().Name);
            }
        }
    }
}
