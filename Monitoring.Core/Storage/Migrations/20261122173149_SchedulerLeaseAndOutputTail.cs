using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Monitoring.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SchedulerLeaseAndOutputTail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_FinishedAt",
                table: "Tasks");

            migrationBuilder.AddColumn<string>(
                name: "OutputTail",
                table: "Tasks",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "SchedulerLeases",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AcquiredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    HeartbeatAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SchedulerLeases", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_FinishedAt_Status_Type_DurationMs_QueueWaitMs",
                table: "Tasks",
                columns: new[] { "FinishedAt", "Status", "Type", "DurationMs", "QueueWaitMs" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SchedulerLeases");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_FinishedAt_Status_Type_DurationMs_QueueWaitMs",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "OutputTail",
                table: "Tasks");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_FinishedAt",
                table: "Tasks",
                column: "FinishedAt");
        }
    }
}
