import { describe, expect, it } from 'vitest';
import { formatBinding, normalisePipe, parseBinding } from '../../src/transport/binding.js';

describe('string bindings', () => {
  it('parses ncacn_ip_tcp with and without a port, and options', () => {
    expect(parseBinding('ncacn_ip_tcp:127.0.0.3[49153]')).toEqual({ protseq: 'ncacn_ip_tcp', host: '127.0.0.3', endpoint: '49153', options: {} });
    expect(parseBinding('ncacn_ip_tcp:dc1.lab.example.com')).toEqual({ protseq: 'ncacn_ip_tcp', host: 'dc1.lab.example.com', options: {} });
    expect(parseBinding('ncacn_ip_tcp:host[135,sign=1,seal=yes]')).toEqual({
      protseq: 'ncacn_ip_tcp',
      host: 'host',
      endpoint: '135',
      options: { sign: '1', seal: 'yes' },
    });
  });

  it('parses ncacn_np with the pipe name normalised, and an object UUID', () => {
    expect(parseBinding('ncacn_np:server[\\pipe\\winreg]')).toMatchObject({ protseq: 'ncacn_np', host: 'server', endpoint: '\\pipe\\winreg' });
    expect(parseBinding('ncacn_np:server[\\PIPE\\winreg]').endpoint).toBe('\\pipe\\winreg');
    expect(parseBinding('ncacn_np:server[winreg]').endpoint).toBe('\\pipe\\winreg');
    const b = parseBinding('E3514235-4B06-11D1-AB04-00C04FC2DCD2@ncacn_ip_tcp:h[1]');
    expect(b.object).toBe('e3514235-4b06-11d1-ab04-00c04fc2dcd2');
    expect(formatBinding(b)).toBe('e3514235-4b06-11d1-ab04-00c04fc2dcd2@ncacn_ip_tcp:h[1]');
    expect(formatBinding(parseBinding('ncacn_np:s[winreg,x=1]'))).toBe('ncacn_np:s[\\pipe\\winreg,x=1]');
  });

  it('rejects bad bindings with a UsageError', () => {
    for (const bad of ['ncadg_ip_udp:h[1]', 'ncacn_ip_tcp:[135]', 'ncacn_ip_tcp:h[99999]', 'ncacn_ip_tcp:h[abc]', 'ncacn_np:h[\\pipe\\a\\b]', 'h[1]', 'ncacn_ip_tcp:h[1,=x]']) {
      expect(() => parseBinding(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
    }
    expect(() => normalisePipe('\\pipe\\')).toThrow(/bad pipe name/);
  });
});
