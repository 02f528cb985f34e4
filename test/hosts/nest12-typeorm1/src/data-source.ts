import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { hostDataSourceOptions } from './host.module';

/** The host's TypeORM CLI DataSource, with the module's entities and migrations added. */
export default new DataSource(hostDataSourceOptions(process.env.DATABASE_URL ?? ''));
