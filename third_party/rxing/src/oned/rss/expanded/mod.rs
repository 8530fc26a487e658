pub mod decoders;

pub mod binary_util;
pub mod bit_array_builder;

mod expanded_pair;
pub use expanded_pair::*;

#[cfg(test)]
mod expanded_information_decoder_test;

mod expanded_row;
pub use expanded_row::*;

mod rss_expanded_reader;
pub use rss_expanded_reader::*;

#[cfg(test)]
#[cfg(feature = "image")]
mod rss_expanded_internal_test_case;

#[cfg(test)]
#[cfg(feature = "image")]
mod rss_expanded_image_2_binary_test_case;

#[cfg(test)]
#[cfg(feature = "image")]
mod rss_expanded_image_2_result_test_case;

#[cfg(test)]
#[cfg(feature = "image")]
mod rss_expanded_image_2_string_test_case;

#[cfg(test)]
#[cfg(feature = "image")]
mod rss_expanded_stacked_internal_test_case;

#[cfg(test)]
#[cfg(feature = "image")]
mod test_case_util;
