namespace Monitoring.Web.Security;

/// <summary>Roles of SPEC §9 and the policies built on them; each role includes the ones below it.</summary>
public static class Roles
{
    public const string Viewer = "Viewer";
    public const string Operator = "Operator";
    public const string Admin = "Admin";

    public const string ViewPolicy = "view";
    public const string OperatePolicy = "operate";
    public const string AdministerPolicy = "administer";

    public const string ActorKindClaim = "monitoring:actor-kind";
}
