import { BlockedDestinationError, DestinationPolicy } from './destination-policy';
import { resolveConfig } from '../notifications-admin.config';

describe('DestinationPolicy.checkUrl', () => {
  const guarded = new DestinationPolicy(resolveConfig({ allowPrivateNetworks: false }));
  const open = new DestinationPolicy(resolveConfig({ allowPrivateNetworks: true }));

  it.each(['http://8.8.8.8/hooks', 'https://1.1.1.1/', 'http://[2606:4700::1111]/', 'https://hooks.example.com/x'])(
    'lets the public destination %s through (names are checked when they resolve)',
    (url) => {
      expect(guarded.checkUrl(url).href).toBe(new URL(url).href);
    },
  );

  it.each([
    'http://127.0.0.1/',
    'http://[::ffff:7f00:1]/',
    'http://[::7f00:1]/',
    'http://0x7f.1/',
    'http://[fc00::1]/',
  ])('refuses %s, and lets it through with private networks allowed', (url) => {
    expect(() => guarded.checkUrl(url)).toThrow(BlockedDestinationError);
    expect(open.checkUrl(url).href).toBe(new URL(url).href);
  });

  it('refuses other schemes whatever the private-network setting', () => {
    expect(() => open.checkUrl('gopher://127.0.0.1/')).toThrow(
      'webhook URL scheme gopher is not allowed; use http or https',
    );
  });
});
