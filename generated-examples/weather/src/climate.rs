//! Climate data and the forecast model shared by the handlers (your own module, declared in `main.rs`).

use std::collections::BTreeMap;

use serde::Deserialize;

/// Monthly climate normals of one city, as in `data/cities.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct City {
    pub name: String,
    pub country: String,
    /// US state code, for US cities.
    #[serde(default)]
    pub state: Option<String>,
    pub lat: f64,
    /// Mean daily high per month, January first, in °C.
    pub monthly_high_c: [f64; 12],
    /// Mean precipitation per month, January first, in mm.
    pub monthly_rain_mm: [f64; 12],
}

/// Every known city by identifier, sorted by identifier.
pub type Cities = BTreeMap<String, City>;

/// Parses the embedded `cities.json`.
pub fn parse_cities(json: &[u8]) -> Result<Cities, serde_json::Error> {
    serde_json::from_slice(json)
}

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// One day of a forecast, in °C.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub high_c: f64,
    pub low_c: f64,
    pub rain_chance: f64,
    pub summary: &'static str,
}

impl City {
    /// The deterministic forecast for day `day` (1-based) of month `month` (1-12): the month's normals
    /// plus a day-to-day variation derived from the city, month and day.
    pub fn forecast(&self, id: &str, month: usize, day: u32) -> Day {
        let index = month.clamp(1, 12) - 1;
        let normal_high = self.monthly_high_c[index];
        let rain_mm = self.monthly_rain_mm[index];
        let swing = |salt: u64| noise(id, month as u64, u64::from(day), salt);
        // Dry, high-latitude places swing more between day and night; wet ones less.
        let diurnal_range = (7.0 + self.lat.abs() / 30.0 - rain_mm / 60.0).clamp(4.0, 12.0);
        let high_c = round1(normal_high + 2.5 * swing(1));
        let low_c = round1(high_c - diurnal_range + swing(2));
        let rain_chance = round2((rain_mm / 150.0 + 0.15 * swing(3)).clamp(0.02, 0.95));
        let summary = if rain_chance > 0.6 {
            if high_c < 2.0 {
                "Snow likely"
            } else {
                "Rain likely"
            }
        } else if rain_chance > 0.35 {
            if high_c < 2.0 {
                "Snow showers possible"
            } else {
                "Showers possible"
            }
        } else if high_c >= 28.0 {
            "Hot and sunny"
        } else if high_c >= 20.0 {
            "Warm and sunny"
        } else if high_c >= 12.0 {
            "Mild, partly cloudy"
        } else if high_c >= 4.0 {
            "Cool and cloudy"
        } else {
            "Cold"
        };
        Day {
            high_c,
            low_c,
            rain_chance,
            summary,
        }
    }
}

/// A deterministic value in [-1, 1] (FNV-1a over the inputs).
fn noise(id: &str, month: u64, day: u64, salt: u64) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id
        .bytes()
        .chain(month.to_le_bytes())
        .chain(day.to_le_bytes())
        .chain(salt.to_le_bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % 2001) as f64 / 1000.0 - 1.0
}

/// The index and value of the largest of `values` (the first of equals).
pub fn peak(values: &[f64]) -> (usize, f64) {
    values.iter().enumerate().fold(
        (0, f64::MIN),
        |best, (i, &v)| if v > best.1 { (i, v) } else { best },
    )
}

pub fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

pub fn celsius_to_fahrenheit(celsius: f64) -> f64 {
    celsius * 9.0 / 5.0 + 32.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cities() -> Cities {
        parse_cities(crate::generated::resources::cities::CONTENT).unwrap()
    }

    #[test]
    fn embedded_data_parses() {
        let cities = cities();
        assert_eq!(cities.len(), 6);
        assert_eq!(cities["paris"].name, "Paris");
        assert_eq!(cities["denver"].state.as_deref(), Some("CO"));
    }

    #[test]
    fn forecast_is_deterministic_and_plausible() {
        let cities = cities();
        let paris = &cities["paris"];
        for day in 1..=14 {
            let forecast = paris.forecast("paris", 7, day);
            assert_eq!(forecast, paris.forecast("paris", 7, day));
            assert!((forecast.high_c - 25.6).abs() <= 2.5 + 0.05, "{forecast:?}");
            assert!(forecast.low_c < forecast.high_c);
            assert!((0.0..=1.0).contains(&forecast.rain_chance));
        }
        assert_ne!(paris.forecast("paris", 7, 1), paris.forecast("paris", 7, 2));
    }
}
