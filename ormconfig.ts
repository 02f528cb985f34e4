import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './src/config/data-source-options';

/** The DataSource of the TypeORM CLI: `npm run migration:run` (DATABASE_URL as for the service). */
export default new DataSource(buildDataSourceOptions(process.env.DATABASE_URL, 'migrations'));
