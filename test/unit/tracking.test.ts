import { describe, expect, it } from 'vitest';
import { carrierServices, parcelTracking } from '../../src/carriers/tracking.js';
import { carrierTrackingUrl, trackingUrlOf } from '../../src/domain/tracking.js';

describe('a carrier’s tracking address', () => {
  it.each([
    ['https://tracking.bring.com/tracking/123?lang=en&x=1', 'https://tracking.bring.com/tracking/123?lang=en&x=1'],
    ['http://track.example/a', 'http://track.example/a'],
    ['  https://track.example/a  ', 'https://track.example/a'],
    // Characters that would end a link early are encoded, so the whole address is one link.
    ['https://track.example/q?id=A B"<x>', 'https://track.example/q?id=A%20B%22%3Cx%3E'],
    ['HTTPS://Track.Example/A', 'https://track.example/A'],
    ['javascript:alert(1)', null],
    ['mailto:a@example.com', null],
    ['ftp://track.example/a', null],
    ['data:text/html,<b>x</b>', null],
    ['track.example/a', null],
    ['/relative/path', null],
    ['', null],
    [null, null],
  ])('%j → %j', (given, expected) => expect(carrierTrackingUrl(given)).toBe(expected));
});

describe('a parcel’s tracking page', () => {
  const pattern = 'https://track.example/?id={parcel}';
  it.each([
    ['its carrier’s page first', 'P-1', 'https://carrier.example/P-1', pattern, 'https://carrier.example/P-1'],
    ['else the shop’s pattern, the ID encoded', 'P/1&A', null, pattern, 'https://track.example/?id=P%2F1%26A'],
    ['a carrier address that is not http(s) falls back to the pattern', 'P-1', 'javascript:alert(1)', pattern, 'https://track.example/?id=P-1'],
    ['no page and no pattern: none', 'P-1', null, '', null],
    ['a carrier page without a pattern', 'P-1', 'https://carrier.example/P-1', '', 'https://carrier.example/P-1'],
  ])('%s', (_, parcelId, own, shop, expected) => expect(trackingUrlOf(parcelId, own, shop)).toBe(expected));
});

describe('what readers are told of a delivery’s parcels', () => {
  const parcels = [
    { parcelId: 'B-1', trackingUrl: 'https://tracking.bring.com/t/B-1', carrierKind: 'bring' as const, service: '5800' },
    { parcelId: 'B-2', trackingUrl: null, carrierKind: 'bring' as const, service: '5800' },
    { parcelId: 'N-1', trackingUrl: null, carrierKind: 'nshift' as const, service: 'OWN1' },
    { parcelId: 'T-1', trackingUrl: null, carrierKind: null, service: null },
  ];

  it('each parcel with its page, carrier name and booked service code (null when not booked)', () => {
    expect(parcelTracking(parcels, '')).toEqual([
      { parcelId: 'B-1', trackingUrl: 'https://tracking.bring.com/t/B-1', carrier: 'Bring', service: '5800' },
      { parcelId: 'B-2', trackingUrl: null, carrier: 'Bring', service: '5800' },
      { parcelId: 'N-1', trackingUrl: null, carrier: 'nShift Delivery (Unifaun)', service: 'OWN1' },
      { parcelId: 'T-1', trackingUrl: null, carrier: null, service: null },
    ]);
  });

  it('each carrier and service once, the service named when the carrier lists it', () => {
    expect(carrierServices(parcels)).toEqual([
      { carrier: 'Bring', service: '5800', serviceName: 'PickUp Parcel (Pakke til hentested)' },
      { carrier: 'nShift Delivery (Unifaun)', service: 'OWN1', serviceName: 'OWN1' },
    ]);
    expect(carrierServices([parcels[3]!])).toEqual([]);
  });
});
