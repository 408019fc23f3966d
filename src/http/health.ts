/**
 * What `GET /health` reports. The shape follows Kafka Connect's KIP-1017 health endpoint
 * (`{"status": "healthy", "message": …}`) so existing probes read it; `checks` adds per-part
 * detail (routes, connectors) for people.
 */
export type HealthStatus = 'healthy' | 'starting' | 'unhealthy';

export interface HealthCheck {
  status: HealthStatus;
  /** Why, in words; never a secret. */
  message?: string;
}

export interface HealthReport extends HealthCheck {
  checks?: Readonly<Record<string, HealthCheck>>;
}

/** Supplies the current health; may be async. A throw counts as unhealthy. */
export type HealthSource = () => HealthReport | Promise<HealthReport>;

/** 200 only when healthy: a load balancer or Kubernetes probe treats anything else as not ready. */
export function healthStatusCode(report: HealthReport): 200 | 503 {
  return report.status === 'healthy' ? 200 : 503;
}
