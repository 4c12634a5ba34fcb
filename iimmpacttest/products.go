package iimmpacttest

import (
	"strings"
)

// product is one entry of the fake's catalogue. The exported-looking JSON
// fields are what /v2/product-list returns; the rest drives /v2/topup.
type product struct {
	listing productListing

	denominations []money // nil: open amount between minAmount and maxAmount
	minAmount     money
	maxAmount     money
	discountBP    int64  // wholesale discount in basis points: cost = amount less this
	snPrefix      string // "" means a numeric serial number
	note          string // data.note on success
	voucher       bool   // success carries pin, expiry and voucherlink

	integerOnly    bool     // open amount in whole ringgit only ("The amount must be an integer.")
	phoneAccount   bool     // the account must look like a Malaysian mobile number
	requiredExtras []string // extras keys the payment guide marks mandatory
	plans          []plan   // subproducts chosen by extras.subproduct_code; the amount is the plan's price
	billers        []biller // JomPAY billers chosen by extras.biller_code
	loanAccounts   bool     // PTPTN: extras.subproduct_code is the loan account derived from the IC
	categoryCode   string   // product_category_code in catalog events
}

// productListing is one /v2/product-list record, fields in IIMMPACT's order.
type productListing struct {
	Status               string `json:"status"`
	HasSubproduct        bool   `json:"has_subproduct"`
	ProductCode          string `json:"product_code"`
	ProductName          string `json:"product_name"`
	ProductRemarks       string `json:"product_remarks"`
	AccountLabel         string `json:"account_label"`
	KeyboardType         string `json:"keyboard_type"`
	Denomination         string `json:"denomination"`
	CommonDenominations  string `json:"common_denominations"`
	DenominationDataType string `json:"denomination_data_type"`
	DenominationCurrency string `json:"denomination_currency"`
	ProductGroup         string `json:"product_group"`
	Category             string `json:"category"`
	ImageURL             string `json:"image_url"`
	AccountType          string `json:"account_type"`
	IsRefundable         bool   `json:"is_refundable"`
}

const imageBase = "https://dashboard.iimmpact.com/img/"

func mobileReload(code, name, denoms, common, snPrefix string) product {
	return product{
		listing: productListing{
			Status: "Active", ProductCode: code, ProductName: name,
			ProductRemarks:       "Top up will be credited to the mobile number.",
			AccountLabel:         "Mobile Number",
			KeyboardType:         "Numeric",
			Denomination:         denoms,
			CommonDenominations:  common,
			DenominationDataType: "Integer",
			DenominationCurrency: "MYR",
			ProductGroup:         "Mobile Reload",
			Category:             "Prepaid",
			ImageURL:             imageBase + code + ".png",
			AccountType:          "phone_number",
		},
		denominations: parseDenominations(denoms),
		discountBP:    200,
		snPrefix:      snPrefix,
		phoneAccount:  true,
		categoryCode:  "MOBILE_PREPAID",
		note:          "Top up successful and credited to mobile number.",
	}
}

// catalogue returns the fake's products in listing order. D is the
// walkthrough's Digi Prepaid record, field for field. It is data, a
// product a few lines, and reads best as one list.
func catalogue() []product {
	tnb := product{
		listing: productListing{
			Status: "Active", ProductCode: "TNB", ProductName: "Tenaga Nasional Berhad",
			ProductRemarks:       "Payment is posted to the electricity account.",
			AccountLabel:         "Account Number",
			KeyboardType:         "Numeric",
			DenominationDataType: "Decimal",
			DenominationCurrency: "MYR",
			ProductGroup:         "Bill Payment",
			Category:             "Utilities",
			ImageURL:             imageBase + "TNB.png",
			AccountType:          "account_number",
			IsRefundable:         true,
		},
		minAmount:    mustMoney("minimum", "1"),
		maxAmount:    mustMoney("maximum", "5000"),
		discountBP:   200,
		snPrefix:     "TN",
		note:         "Bill payment received.",
		categoryCode: "UTILITIES",
	}
	gc := product{
		listing: productListing{
			Status: "Active", ProductCode: "GC", ProductName: "Grab Gift Code",
			ProductRemarks:       "A gift code is returned for the customer to redeem.",
			AccountLabel:         "Mobile Number",
			KeyboardType:         "Numeric",
			Denomination:         "5,10,25,50,100",
			CommonDenominations:  "10,25",
			DenominationDataType: "Integer",
			DenominationCurrency: "MYR",
			ProductGroup:         "Gift Card",
			Category:             "In Store Voucher",
			ImageURL:             imageBase + "GC.png",
			AccountType:          "phone_number",
		},
		denominations: parseDenominations("5,10,25,50,100"),
		discountBP:    0,
		note:          "Redeem the code in the Grab app under Gifts.",
		voucher:       true,
		categoryCode:  "GIFT_CARD",
	}
	return []product{
		mobileReload("D", "Digi Prepaid", "5,10,15,20,25,30,50,100", "10,30,50", "DG"),
		mobileReload("C", "Celcom Prepaid", "5,10,20,30,50,100", "10,30,50", "CC"),
		mobileReload("M", "Hotlink Prepaid", "5,10,20,30,50,60,100", "10,30,60", "MX"),
		tnb,
		gc,
		digiPostpaid(),
		jompay(),
		ptptn(),
		mobileData(),
		esim(),
	}
}

func parseDenominations(list string) []money {
	var out []money
	for _, d := range strings.Split(list, ",") {
		out = append(out, mustMoney("denomination", d))
	}
	return out
}

// accepts reports whether amount may be paid for this product: one of the
// listed denominations (compared exactly), or inside the open range with at
// most two decimal places (sen).
func (p *product) accepts(amount money) bool {
	if p.denominations != nil {
		for _, d := range p.denominations {
			if d == amount {
				return true
			}
		}
		return false
	}
	return amount >= p.minAmount && amount <= p.maxAmount && amount%100 == 0
}

// cost is the wholesale price debited from the wallet.
func (p *product) cost(amount money) money { return amount.lessBasisPoints(p.discountBP) }
