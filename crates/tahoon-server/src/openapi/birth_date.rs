//! The date-of-birth schema, whose pattern names the years a valid date of birth can fall in.

use super::*;

/// A date of birth, `YYYY-MM-DD`: not in the future and giving an age of 0 to 120 years. The
/// pattern admits the years that can hold such a date as of the day the document is built (this
/// year and the 121 before it), so generated dates are mostly accepted.
pub struct BirthDate;
impl utoipa::PartialSchema for BirthDate {
    fn schema() -> RefOr<Schema> {
        let this_year = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
        let years = year_range_pattern(this_year - 121, this_year);
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A date of birth, `YYYY-MM-DD`: not in the future and giving an age of 0 to 120 years \
                 (the pattern admits this year and the 121 before it, a superset of those).",
            ))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(format!("^({years})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")))
            .examples(["1990-05-15"])
            .into()
    }
}
impl ToSchema for BirthDate {}

/// A regular expression (alternatives, no anchors) matching the four-digit years `first..=last`:
/// one alternative per decade, such as `190[5-9]|19[1-9][0-9]|20[01][0-9]|202[0-6]`.
fn year_range_pattern(first: i16, last: i16) -> String {
    let digits = |lo: i16, hi: i16| if lo == hi { lo.to_string() } else { format!("[{lo}-{hi}]") };
    let mut alternatives = Vec::new();
    let mut decade = first / 10;
    while decade <= last / 10 {
        let lo = first.max(decade * 10) % 10;
        let hi = last.min(decade * 10 + 9) % 10;
        // Whole decades that follow in the same century share one alternative.
        let mut through = decade;
        if lo == 0 && hi == 9 {
            while (through + 1) % 10 != 0 && (through + 1) * 10 + 9 <= last {
                through += 1;
            }
        }
        let century = decade / 10;
        alternatives.push(format!("{century}{}{}", digits(decade % 10, through % 10), digits(lo, hi)));
        decade = through + 1;
    }
    alternatives.join("|")
}

#[cfg(test)]
mod tests {
    use super::year_range_pattern;

    #[test]
    fn year_ranges_are_written_by_decade() {
        assert_eq!(year_range_pattern(1905, 2026), "190[5-9]|19[1-9][0-9]|20[0-1][0-9]|202[0-6]");
        assert_eq!(year_range_pattern(1900, 1999), "19[0-9][0-9]");
        assert_eq!(year_range_pattern(2020, 2020), "2020");
        assert_eq!(year_range_pattern(1999, 2000), "1999|2000");
    }

    #[test]
    fn a_year_matches_exactly_when_it_is_in_the_range() {
        for (first, last) in [(1905, 2026), (1899, 2021), (1910, 2031), (2000, 2009)] {
            let pattern = regex::Regex::new(&format!("^({})$", year_range_pattern(first, last))).unwrap();
            for year in 1000..3000 {
                let inside = (first..=last).contains(&year);
                assert_eq!(pattern.is_match(&year.to_string()), inside, "{year} in {first}..={last}");
            }
        }
    }
}
