/*
 * Copyright (C) 2010 ZXing authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/*
 * Records EAN prefix to GS1 Member Organization, where the member organization
 * correlates strongly with a country. This is an imperfect means of identifying
 * a country of origin by EAN-13 barcode value. See
 * <a href="http://en.wikipedia.org/wiki/List_of_GS1_country_codes">
 * http://en.wikipedia.org/wiki/List_of_GS1_country_codes</a>.
 *
 * @author Sean Owen
 */

// hutong patch: the table is data, not 106 pushes at first use (12 KiB of code in the app
// library for metadata Hutong never reads); same ranges, same lookups.
const RANGES: &[([u32; 2], &str)] = &[
    ([0, 19], "US/CA"),
    ([30, 39], "US"),
    ([60, 139], "US/CA"),
    ([300, 379], "FR"),
    ([380, 0], "BG"),
    ([383, 0], "SI"),
    ([385, 0], "HR"),
    ([387, 0], "BA"),
    ([400, 440], "DE"),
    ([450, 459], "JP"),
    ([460, 469], "RU"),
    ([471, 0], "TW"),
    ([474, 0], "EE"),
    ([475, 0], "LV"),
    ([476, 0], "AZ"),
    ([477, 0], "LT"),
    ([478, 0], "UZ"),
    ([479, 0], "LK"),
    ([480, 0], "PH"),
    ([481, 0], "BY"),
    ([482, 0], "UA"),
    ([484, 0], "MD"),
    ([485, 0], "AM"),
    ([486, 0], "GE"),
    ([487, 0], "KZ"),
    ([489, 0], "HK"),
    ([490, 499], "JP"),
    ([500, 509], "GB"),
    ([520, 0], "GR"),
    ([528, 0], "LB"),
    ([529, 0], "CY"),
    ([531, 0], "MK"),
    ([535, 0], "MT"),
    ([539, 0], "IE"),
    ([540, 549], "BE/LU"),
    ([560, 0], "PT"),
    ([569, 0], "IS"),
    ([570, 579], "DK"),
    ([590, 0], "PL"),
    ([594, 0], "RO"),
    ([599, 0], "HU"),
    ([600, 601], "ZA"),
    ([603, 0], "GH"),
    ([608, 0], "BH"),
    ([609, 0], "MU"),
    ([611, 0], "MA"),
    ([613, 0], "DZ"),
    ([616, 0], "KE"),
    ([618, 0], "CI"),
    ([619, 0], "TN"),
    ([621, 0], "SY"),
    ([622, 0], "EG"),
    ([624, 0], "LY"),
    ([625, 0], "JO"),
    ([626, 0], "IR"),
    ([627, 0], "KW"),
    ([628, 0], "SA"),
    ([629, 0], "AE"),
    ([640, 649], "FI"),
    ([690, 695], "CN"),
    ([700, 709], "NO"),
    ([729, 0], "IL"),
    ([730, 739], "SE"),
    ([740, 0], "GT"),
    ([741, 0], "SV"),
    ([742, 0], "HN"),
    ([743, 0], "NI"),
    ([744, 0], "CR"),
    ([745, 0], "PA"),
    ([746, 0], "DO"),
    ([750, 0], "MX"),
    ([754, 755], "CA"),
    ([759, 0], "VE"),
    ([760, 769], "CH"),
    ([770, 0], "CO"),
    ([773, 0], "UY"),
    ([775, 0], "PE"),
    ([777, 0], "BO"),
    ([779, 0], "AR"),
    ([780, 0], "CL"),
    ([784, 0], "PY"),
    ([785, 0], "PE"),
    ([786, 0], "EC"),
    ([789, 790], "BR"),
    ([800, 839], "IT"),
    ([840, 849], "ES"),
    ([850, 0], "CU"),
    ([858, 0], "SK"),
    ([859, 0], "CZ"),
    ([860, 0], "YU"),
    ([865, 0], "MN"),
    ([867, 0], "KP"),
    ([868, 869], "TR"),
    ([870, 879], "NL"),
    ([880, 0], "KR"),
    ([885, 0], "TH"),
    ([888, 0], "SG"),
    ([890, 0], "IN"),
    ([893, 0], "VN"),
    ([896, 0], "PK"),
    ([899, 0], "ID"),
    ([900, 919], "AT"),
    ([930, 939], "AU"),
    ([940, 949], "AZ"),
    ([955, 0], "MY"),
    ([958, 0], "MO"),
];

#[derive(Default)]
pub struct EANManufacturerOrgSupport;

impl EANManufacturerOrgSupport {
    pub fn lookupCountryIdentifier(&self, productCode: &str) -> Option<&str> {
        let prefix = productCode.get(0..3)?.parse::<u32>().ok()?;
        for &([start, end], id) in RANGES {
            if prefix < start {
                return None;
            }
            let end = if end == 0 { start } else { end };
            if prefix <= end {
                return Some(id);
            }
        }
        None
    }
}

/**
 * Tests {@link EANManufacturerOrgSupport}.
 *
 * @author Sean Owen
 */
#[cfg(test)]
mod EANManufacturerOrgSupportTest {
    use crate::oned::EANManufacturerOrgSupport;

    #[test]
    fn testLookup() {
        let support = EANManufacturerOrgSupport::default();
        assert!(support.lookupCountryIdentifier("472000").is_none());
        assert_eq!(
            "US/CA",
            support.lookupCountryIdentifier("000000").expect("msg")
        );
        assert_eq!(
            "MO",
            support.lookupCountryIdentifier("958000").expect("msg")
        );
        assert_eq!(
            "GB",
            support.lookupCountryIdentifier("500000").expect("msg")
        );
        assert_eq!(
            "GB",
            support.lookupCountryIdentifier("509000").expect("msg")
        );
    }
}
