package iimmpacttest

import (
	"hash/fnv"
	"strconv"
)

// The products below need more than product, account and amount. Which
// extras each one requires is documented (IIMMPACT's payment integration
// guide): JomPAY biller_code and ic_number, PTPTN subproduct_code and
// ic_number, mobile data subproduct_code; ref2 is optional for JomPAY.
// Their codes JOMPAY, PTPTN and HI are the docs' own examples; DB is the
// announcement's example of an integer-only product. The billers, plans,
// prices and names are the fake's own.

// plan is a mobile-data subproduct: its code goes in extras.subproduct_code
// and its price is the only amount accepted.
type plan struct {
	code     string
	label    string
	price    money
	validity string
}

// biller is a JomPAY biller. A biller with ref2 needs Ref-2 for bill
// presentment ("Ref-2 is required").
type biller struct {
	code string
	name string
	ref2 bool
}

// JomPAY billers of the fake, in listing order.
const (
	billerWater     = "5454"
	billerInsurance = "7777"
)

func billProduct(code, name, label, group, category string) productListing {
	return productListing{
		Status: "Active", HasSubproduct: false, ProductCode: code, ProductName: name,
		ProductRemarks: "Payment is posted to the account.", AccountLabel: label, KeyboardType: "Numeric",
		DenominationDataType: "Decimal", DenominationCurrency: "MYR", ProductGroup: group, Category: category,
		ImageURL: imageBase + code + ".png", AccountType: "account_number", IsRefundable: true,
	}
}

func digiPostpaid() product {
	l := billProduct("DB", "Digi Postpaid", "Mobile Number", "Bill Payment", "Postpaid")
	l.DenominationDataType, l.AccountType = "Integer", "phone_number"
	return product{listing: l, minAmount: mustMoney("minimum", "1"), maxAmount: mustMoney("maximum", "5000"),
		integerOnly: true, phoneAccount: true, discountBP: 100, snPrefix: "DB", note: "Bill payment received.",
		categoryCode: "MOBILE_POSTPAID"}
}

func jompay() product {
	l := billProduct("JOMPAY", "JomPAY", "Ref-1", "Bill Payment", "JomPAY")
	l.HasSubproduct = true
	return product{listing: l, minAmount: mustMoney("minimum", "1"), maxAmount: mustMoney("maximum", "5000"),
		discountBP: 0, snPrefix: "JP", note: "Bill payment received.", categoryCode: "JOMPAY",
		requiredExtras: []string{"biller_code", "ic_number"},
		billers:        []biller{{billerWater, "Demo Water Sdn Bhd", false}, {billerInsurance, "Demo Insurance Berhad", true}}}
}

func ptptn() product {
	l := billProduct("PTPTN", "PTPTN Loan Repayment", "IC Number", "Bill Payment", "Education")
	l.HasSubproduct = true
	return product{listing: l, minAmount: mustMoney("minimum", "1"), maxAmount: mustMoney("maximum", "5000"),
		discountBP: 0, snPrefix: "PT", note: "Loan repayment received.", categoryCode: "EDUCATION",
		requiredExtras: []string{"subproduct_code", "ic_number"}, loanAccounts: true}
}

func mobileData() product {
	l := billProduct("HI", "Hotlink Internet", "Mobile Number", "Mobile Data", "Internet")
	l.HasSubproduct, l.AccountType, l.IsRefundable = true, "phone_number", false
	l.DenominationDataType = "Integer"
	return product{listing: l, phoneAccount: true, discountBP: 200, snPrefix: "HI",
		note: "Internet plan activated.", categoryCode: "MOBILE_DATA", requiredExtras: []string{"subproduct_code"},
		plans: []plan{
			{"HI_1GB_7D", "1GB 7 days", mustMoney("price", "5"), "7 days"},
			{"HI_10GB_30D", "10GB 30 days", mustMoney("price", "30"), "30 days"},
			{"HI_UNL_30D", "Unlimited 30 days", mustMoney("price", "45"), "30 days"},
		}}
}

func esim() product {
	l := billProduct("ESIM", "eSIM Asia 5GB", "Mobile Number", "eSIM", "Travel eSIM")
	l.Denomination, l.CommonDenominations, l.DenominationDataType = "25,50", "25", "Integer"
	l.AccountType, l.IsRefundable = "phone_number", false
	return product{listing: l, denominations: parseDenominations("25,50"), phoneAccount: true,
		note: "Scan the QR code at the voucher link to install the eSIM.", voucher: true, categoryCode: "ESIM"}
}

// plan returns the product's plan with code, if any.
func (p *product) plan(code string) *plan {
	for i := range p.plans {
		if p.plans[i].code == code {
			return &p.plans[i]
		}
	}
	return nil
}

// biller returns the JomPAY biller with code, if any.
func (p *product) biller(code string) *biller {
	for i := range p.billers {
		if p.billers[i].code == code {
			return &p.billers[i]
		}
	}
	return nil
}

// loanAccount is the PTPTN loan account the fake derives from an IC
// number, stable across calls.
func loanAccount(ic string) string {
	h := fnv.New32a()
	h.Write([]byte(ic))
	return "PTPTN" + strconv.FormatUint(uint64(h.Sum32()%100000000), 10)
}

// validPhone reports whether account looks like a Malaysian mobile number
// in national (01…) or international (601…) form, digits only. The exact
// rule IIMMPACT applies is not documented.
func validPhone(account string) bool {
	if len(account) < 10 || len(account) > 12 {
		return false
	}
	for _, c := range account {
		if c < '0' || c > '9' {
			return false
		}
	}
	return account[:2] == "01" || account[:3] == "601"
}
