import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { Environment, InvalidEnvironmentError, loadEnvironment } from './config/environment';
import { DrainingExpressAdapter } from './http/draining-express.adapter';
import { configureHttp } from './http-setup';
import { createHttpLogger } from './logging/http-logger';
import { setupNotificationsAdminDocs } from './notifications-admin/docs/api-docs.setup';

/** Past the delivery timeout, what an in-flight retrigger may still need to record its attempts. */
const SHUTDOWN_MARGIN_MS = 5_000;

async function bootstrap(env: Environment): Promise<void> {
  const httpLogger = createHttpLogger({ level: env.logLevel, format: env.logFormat });
  const loggerParams = { pinoHttp: { logger: httpLogger.logger }, useExisting: true as const };
  // Given up front rather than buffered, so that even a failed start logs through pino.
  const logger = new Logger(new PinoLogger(loggerParams), loggerParams);
  try {
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forEnvironment(env, httpLogger),
      new DrainingExpressAdapter(env.webhookTimeoutMs + SHUTDOWN_MARGIN_MS),
      { bodyParser: false, logger, abortOnError: false },
    );
    app.use(httpLogger);
    configureHttp(app);
    if (env.apiDocs) {
      setupNotificationsAdminDocs(app);
    }
    // process.exit(0) once closed: the default re-raises the signal, and the exit status would say "killed".
    app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
    await app.listen(env.port);
    logger.log(`Serving on port ${env.port}`, 'Bootstrap');
  } catch (error) {
    logger.fatal({ msg: `Service failed to start: ${(error as Error).message}` }, 'Bootstrap');
    process.exit(1);
  }
}

function main(): void {
  let env: Environment;
  try {
    env = loadEnvironment(process.env);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  void bootstrap(env);
}

main();
