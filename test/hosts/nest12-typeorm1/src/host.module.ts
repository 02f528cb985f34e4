import { Controller, DynamicModule, Get, Injectable, Module, Req, UseGuards } from '@nestjs/common';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Request } from 'express';
import {
  NOTIFICATIONS_ADMIN_ENTITIES,
  NOTIFICATIONS_ADMIN_MIGRATIONS,
  NotificationsAdminModule,
} from 'notifications-admin';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Column, DataSourceOptions, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The host's own identity provider signs these; the module never sees the secret. */
export const JWT_SECRET = 'host-platform-jwt-secret';
/** A machine client's key: admin without a JWT. */
export const MACHINE_API_KEY = 'host-machine-key-0123456789';

export interface HostUser {
  id: string;
  roles: string[];
}

/** A table of the host's own, kept by `synchronize: true` like the rest of its schema. */
@Entity({ name: 'host_orders' })
export class HostOrder {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  total!: number;
}

/** The host's JWT auth: route guards set `request.user`, no middleware does. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: JWT_SECRET, algorithms: ['HS256'] });
  }

  validate(payload: { sub: string; roles: string[] }): HostUser {
    return { id: payload.sub, roles: payload.roles };
  }
}

/** A versioned route of the host: /api/v1/orders/me. */
@Controller('orders')
export class OrdersController {
  @UseGuards(AuthGuard('jwt'))
  @Get('me')
  me(@Req() request: Request & { user: HostUser }): { user: string } {
    return { user: request.user.id };
  }
}

export interface HostOptions {
  databaseUrl: string;
  synchronize: boolean;
}

/** One set of options for the app and the CLI: the module's entities and migrations beside the host's. */
export function hostDataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [HostOrder, ...NOTIFICATIONS_ADMIN_ENTITIES],
    migrations: [...NOTIFICATIONS_ADMIN_MIGRATIONS],
  };
}

@Module({})
export class HostModule {
  static forRoot(options: HostOptions): DynamicModule {
    return {
      module: HostModule,
      imports: [
        TypeOrmModule.forRoot({ ...hostDataSourceOptions(options.databaseUrl), synchronize: options.synchronize }),
        PassportModule,
        NotificationsAdminModule.forRootAsync({
          routePrefix: 'notifications/v1/admin',
          useFactory: () => ({
            adminApiKeys: [MACHINE_API_KEY],
            authGuards: [AuthGuard('jwt')],
            adminCheck: (request: Request) => {
              const user = (request as Request & { user?: HostUser }).user;
              return user?.roles.includes('admin') ? `user:${user.id}` : null;
            },
            allowPrivateNetworks: true,
          }),
        }),
      ],
      controllers: [OrdersController],
      providers: [JwtStrategy],
    };
  }
}
