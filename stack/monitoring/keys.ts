// Monitoring's config keys (AWS): where alarms go, how long logs stay, and RDS's own insight and metrics.
import { InvalidValue, integer, matching, oneOf } from "../config/key-spec";
import { aws, logRetention, optional } from "../config/aws-parsers";
import type { RuleContext } from "../config/rules";
import type { Parsed } from "../config/key-spec";
import type { RdsSettings } from "../postgres/rds-settings";

export const monitoringKeys = {
  alarmEmail: aws({
    type: "string",
    default: "",
    parse: optional(matching(/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/, ""), "an email address"),
    description:
      "Email subscribed to the alarm topic (confirm the subscription mail); empty subscribes nobody.",
  }),
  logRetentionDays: aws({
    type: "integer",
    default: 30,
    parse: logRetention,
    description: "CloudWatch Logs retention for PostgreSQL and Redis logs.",
  }),
  postgresPerformanceInsightsRetentionDays: aws({
    type: "integer",
    default: 7,
    parse: (raw: string) => {
      const days = integer(7, 731)(raw);
      if (days !== 7 && days !== 731 && days % 31 !== 0)
        throw new InvalidValue("7, 731, or a multiple of 31 up to 713");
      return days;
    },
    description: "Performance Insights retention in days (7 is free).",
  }),
  postgresMonitoringIntervalSeconds: aws({
    type: "integer",
    default: 60,
    parse: (raw: string) => {
      const s = Number(raw);
      if (![1, 5, 10, 15, 30, 60].includes(s)) throw new InvalidValue("1, 5, 10, 15, 30, 60");
      return s;
    },
    description: "Enhanced monitoring granularity in seconds.",
  }),
  postgresDatabaseInsightsMode: aws<"standard" | "advanced">({
    type: "string",
    default: "standard",
    parse: oneOf(["standard", "advanced"]),
    description:
      "CloudWatch Database Insights mode; advanced needs postgresPerformanceInsightsRetentionDays >= 465.",
  }),
};

/**
 * Insights "advanced" needs Performance Insights kept 15 months (RDS user guide, "Database Insights modes").
 */
export const ADVANCED_INSIGHTS_MIN_RETENTION_DAYS = 465;

export function monitoringRules(c: RuleContext): void {
  const { s } = c;
  if (
    s.postgresDatabaseInsightsMode === "advanced" &&
    (s.postgresPerformanceInsightsRetentionDays ?? 0) < ADVANCED_INSIGHTS_MIN_RETENTION_DAYS
  )
    c.invalid(
      "postgresDatabaseInsightsMode",
      "advanced",
      `standard, or advanced with postgresPerformanceInsightsRetentionDays >= ${ADVANCED_INSIGHTS_MIN_RETENTION_DAYS} (15 months)`,
    );
}

type MonitoringParsed = Parsed<typeof monitoringKeys>;

export const monitoringSettings = (s: MonitoringParsed) => ({
  alarmEmail: s.alarmEmail,
  logRetentionDays: s.logRetentionDays,
});

/** What RDS's own monitoring is configured with (part of stack/postgres/rds-settings.ts). */
export const rdsMonitoringSettings = (
  s: MonitoringParsed,
): Pick<
  RdsSettings,
  "performanceInsightsRetentionDays" | "monitoringIntervalSeconds" | "databaseInsightsMode"
> => ({
  performanceInsightsRetentionDays: s.postgresPerformanceInsightsRetentionDays,
  monitoringIntervalSeconds: s.postgresMonitoringIntervalSeconds,
  databaseInsightsMode: s.postgresDatabaseInsightsMode,
});
