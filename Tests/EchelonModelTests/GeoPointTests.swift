import Testing
@testable import EchelonModel

@Test func haversineMatchesKnownCityDistance() {
    // New York (40.7128, -74.0060) to Los Angeles (34.0522, -118.2437): 2,445 miles great-circle.
    let ny = GeoPoint(latitude: 40.7128, longitude: -74.0060)
    let la = GeoPoint(latitude: 34.0522, longitude: -118.2437)
    #expect(abs(ny.miles(to: la) - 2445) < 5)
    #expect(ny.miles(to: ny) == 0)
}
