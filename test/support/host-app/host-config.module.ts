import { DynamicModule, Module } from '@nestjs/common';
import { HostConfig } from './host-config';

@Module({})
export class HostConfigModule {
  static forRoot(config: HostConfig): DynamicModule {
    return { module: HostConfigModule, providers: [{ provide: HostConfig, useValue: config }], exports: [HostConfig] };
  }
}
