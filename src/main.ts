import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { Environment, InvalidEnvironmentError, loadEnvironment } from './config/environment';
import { configureHttp } from './http-setup';
import { setupNotificationsAdminDocs } from './notifications-admin/docs/api-docs.setup';

async function bootstrap(env: Environment): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forEnvironment(env), { bodyParser: false });
  configureHttp(app);
  if (env.apiDocs) {
    setupNotificationsAdminDocs(app);
  }
  app.enableShutdownHooks();
  await app.listen(env.port);
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
  bootstrap(env).catch((error: Error) => {
    console.error(`Service failed to start: ${error.message}`);
    process.exit(1);
  });
}

main();
