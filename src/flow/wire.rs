//! The JSON the switch speaks (docs/protocol.md §6-7). Unknown response fields are ignored.

use crate::money::WireMoney;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct QuoteRequest<'a> {
    pub merchant_code: &'a str,
    pub network: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<WireMoney>,
    pub route_requested: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merchant {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub city: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub campaign_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub merchant: Merchant,
    pub network: String,
    pub route_requested: String,
    pub route_used: String,
    pub original: WireMoney,
    pub discount: WireMoney,
    pub payable: WireMoney,
    #[serde(default)]
    pub promotion: Option<Promotion>,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PaymentRequest<'a> {
    pub intent_id: &'a str,
    pub out_trade_no: &'a str,
    pub merchant_code: &'a str,
    pub network: &'a str,
    pub amount: WireMoney,
    pub confirmed_payable: WireMoney,
    pub funding_source_id: &'a str,
    pub route_requested: &'a str,
    pub description: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct CollectionRequest<'a> {
    pub intent_id: &'a str,
    pub out_trade_no: &'a str,
    pub auth_code: &'a str,
    pub amount: WireMoney,
    pub network: &'a str,
    pub route_requested: &'a str,
    pub description: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReverseRequest<'a> {
    pub reason: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct RefundRequest<'a> {
    pub refund_id: &'a str,
    pub amount: WireMoney,
    pub reason: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeviceRequest<'a> {
    pub key_id: &'a str,
    pub public_key: &'a str,
    pub account_id: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub institution: String,
    pub role: String,
    pub amount: WireMoney,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub receipt_id: String,
    pub switch_txn_id: String,
    pub intent_id: String,
    pub merchant: Merchant,
    pub network: String,
    pub route: String,
    pub original: WireMoney,
    pub discount: WireMoney,
    pub payable: WireMoney,
    pub paid_at: i64,
    #[serde(default)]
    pub funding_source_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub retryable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub intent_id: String,
    #[serde(default)]
    pub out_trade_no: Option<String>,
    pub state: String,
    #[serde(default)]
    pub reverse_result: Option<String>,
    #[serde(default)]
    pub merchant: Option<Merchant>,
    #[serde(default)]
    pub route_used: Option<String>,
    #[serde(default)]
    pub original: Option<WireMoney>,
    #[serde(default)]
    pub discount: Option<WireMoney>,
    #[serde(default)]
    pub payable: Option<WireMoney>,
    #[serde(default)]
    pub paid: Option<WireMoney>,
    #[serde(default)]
    pub refunded: Option<WireMoney>,
    #[serde(default)]
    pub fees: Vec<Fee>,
    #[serde(default)]
    pub switch_txn_id: Option<String>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub failure: Option<ErrorDetail>,
    #[serde(default)]
    pub receipt: Option<Receipt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReverseResponse {
    pub result: String,
    #[serde(default)]
    pub payment: Option<Payment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refund {
    pub refund_id: String,
    pub intent_id: String,
    pub state: String,
    pub amount: WireMoney,
    #[serde(default)]
    pub refunded_total: Option<WireMoney>,
    #[serde(default)]
    pub switch_refund_id: Option<String>,
    #[serde(default)]
    pub failure: Option<ErrorDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingSource {
    pub id: String,
    pub kind: String,
    pub label: String,
    #[serde(default)]
    pub available: Option<WireMoney>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FundingSources {
    pub funding_sources: Vec<FundingSource>,
}
