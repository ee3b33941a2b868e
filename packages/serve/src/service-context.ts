import type { FraudService } from './fraud/fraud-service.js';
import type { ImageService } from './images/image-service.js';
import type { ServiceMetrics } from './metrics.js';

/** What the routes share: the loaded models (swapped on reload) and the metrics. */
export interface ServiceContext {
  fraud: FraudService | undefined;
  images: ImageService | undefined;
  metrics: ServiceMetrics;
  /** Bearer token of `/admin/*`; undefined turns the admin routes off. */
  adminToken: string | undefined;
  /** True once `close()` began: `/readyz` answers 503. */
  closing: boolean;
  /** Loads a fraud model into a new {@link FraudService} (reload when none was served). */
  openFraud(dir: string): Promise<FraudService>;
  /** Loads an image index into a new {@link ImageService} (reload when none was served). */
  openImages(dir: string): Promise<ImageService>;
}
