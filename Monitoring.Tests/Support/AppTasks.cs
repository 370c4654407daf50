using Monitoring.Core.Tasks;

namespace Monitoring.Tests.Support;

public static class AppTasks
{
    /// <summary>Drives a task into a state through the running app's own queue.</summary>
    public static Task<TaskItem> InStateAsync(this MonitoringApp app, TaskState state, string type = "test.job")
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Queue.DriveToAsync(state, type);
    }
}
