//! Paging: a page number and a page size, checked once, with an offset and a limit that cannot
//! overflow.
//!
//! Every paged route builds a [`PageRequest`] from the raw numbers the client sent (absent ones
//! take the route's defaults) and its own [`PageLimits`]; out-of-range values are refused, never
//! clamped, so the page a response is labelled with is the page it holds.

/// The highest page number served. With the largest page size a route may allow
/// ([`MAX_PAGE_SIZE`]) the offset stays below 10¹⁰, far inside `i64` and any database's range.
pub const MAX_PAGE: i64 = 1_000_000;

/// The largest maximum page size a route may declare.
pub const MAX_PAGE_SIZE: i64 = 10_000;

/// A route's page sizes: the default and the largest it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    default_size: i64,
    max_size: i64,
}

impl PageLimits {
    /// Routes declare their limits as constants, so a wrong pair fails the build
    /// (`const L: PageLimits = PageLimits::new(20, 100);`).
    pub const fn new(default_size: i64, max_size: i64) -> PageLimits {
        assert!(1 <= default_size && default_size <= max_size && max_size <= MAX_PAGE_SIZE, "invalid page limits");
        PageLimits { default_size, max_size }
    }

    pub const fn default_size(&self) -> i64 {
        self.default_size
    }

    pub const fn max_size(&self) -> i64 {
        self.max_size
    }
}

/// Why a page request is refused; each names the client's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("must be 1 to {MAX_PAGE}")]
    Page,
    #[error("must be 1 to {max}")]
    PageSize { max: i64 },
}

impl PageError {
    /// The request field at fault, as clients spell it.
    pub fn field(&self) -> &'static str {
        match self {
            PageError::Page => "page",
            PageError::PageSize { .. } => "pageSize",
        }
    }
}

/// A checked page: `1 ≤ page ≤ MAX_PAGE`, `1 ≤ page_size ≤` the route's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: i64,
    page_size: i64,
    offset: i64,
}

impl PageRequest {
    /// From the client's raw numbers; `None` takes page 1 and the route's default size.
    pub fn new(page: Option<i64>, page_size: Option<i64>, limits: PageLimits) -> Result<PageRequest, PageError> {
        let page = page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(PageError::Page);
        }
        let page_size = page_size.unwrap_or(limits.default_size);
        if !(1..=limits.max_size).contains(&page_size) {
            return Err(PageError::PageSize { max: limits.max_size });
        }
        // Cannot fail within the bounds above; checked all the same, and refused rather than wrapped.
        let offset = (page - 1).checked_mul(page_size).ok_or(PageError::Page)?;
        Ok(PageRequest { page, page_size, offset })
    }

    /// The 1-based page number.
    pub fn page(&self) -> i64 {
        self.page
    }

    pub fn page_size(&self) -> i64 {
        self.page_size
    }

    /// Rows to skip: `(page − 1) × page_size`.
    pub fn offset(&self) -> i64 {
        self.offset
    }

    /// Rows to return: the page size.
    pub fn limit(&self) -> i64 {
        self.page_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMITS: PageLimits = PageLimits::new(20, 100);

    fn page(page: Option<i64>, size: Option<i64>) -> Result<PageRequest, PageError> {
        PageRequest::new(page, size, LIMITS)
    }

    #[test]
    fn defaults_and_arithmetic() {
        let first = page(None, None).unwrap();
        assert_eq!((first.page(), first.page_size(), first.offset(), first.limit()), (1, 20, 0, 20));
        let third = page(Some(3), Some(7)).unwrap();
        assert_eq!((third.page(), third.offset(), third.limit()), (3, 14, 7));
        let last = page(Some(MAX_PAGE), Some(100)).unwrap();
        assert_eq!(last.offset(), 99_999_900);
    }

    #[test]
    fn refuses_out_of_range() {
        for p in [0, -1, MAX_PAGE + 1, i64::MAX, i64::MIN] {
            assert_eq!(page(Some(p), None), Err(PageError::Page), "page {p}");
        }
        for s in [0, -5, 101, i64::MAX, i64::MIN] {
            assert_eq!(page(Some(2), Some(s)), Err(PageError::PageSize { max: 100 }), "size {s}");
        }
        // The page is checked first.
        assert_eq!(page(Some(0), Some(0)).unwrap_err().field(), "page");
        assert_eq!(PageError::PageSize { max: 100 }.field(), "pageSize");
        assert_eq!(PageError::PageSize { max: 100 }.to_string(), "must be 1 to 100");
        assert_eq!(PageError::Page.to_string(), "must be 1 to 1000000");
    }

    #[test]
    fn the_widest_limits_still_fit() {
        let widest = PageLimits::new(MAX_PAGE_SIZE, MAX_PAGE_SIZE);
        let p = PageRequest::new(Some(MAX_PAGE), None, widest).unwrap();
        assert!(p.offset().checked_add(p.limit()).is_some());
    }

    proptest! {
        #[test]
        fn any_numbers_give_an_error_or_a_consistent_page(
            p in prop_oneof![any::<i64>(), -2i64..=MAX_PAGE + 2],
            s in prop_oneof![any::<i64>(), -2i64..=MAX_PAGE_SIZE + 2],
            max in 1i64..=MAX_PAGE_SIZE,
        ) {
            let limits = PageLimits::new(1, max);
            match PageRequest::new(Some(p), Some(s), limits) {
                Ok(req) => {
                    prop_assert!((1..=MAX_PAGE).contains(&p) && (1..=max).contains(&s));
                    prop_assert_eq!((req.page(), req.page_size(), req.limit()), (p, s, s));
                    prop_assert_eq!(i128::from(req.offset()), i128::from(p - 1) * i128::from(s));
                    prop_assert!(req.offset() >= 0);
                    prop_assert!(req.offset().checked_add(req.limit()).is_some());
                }
                Err(PageError::Page) => prop_assert!(!(1..=MAX_PAGE).contains(&p)),
                Err(PageError::PageSize { max: m }) => {
                    prop_assert_eq!(m, max);
                    prop_assert!((1..=MAX_PAGE).contains(&p) && !(1..=max).contains(&s));
                }
            }
        }
    }
}
