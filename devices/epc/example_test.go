package epc_test

import (
	"encoding/json"
	"fmt"

	"github.com/partsedge/partsedge/devices/epc"
)

func ExampleDecode() {
	tag, err := epc.Decode("3074257BF7194E4000001A85")
	if err != nil {
		panic(err)
	}
	fmt.Println(tag.TagURI())
	fmt.Println(tag.PureURI())
	fmt.Println(tag.CompanyPrefixDigits(), tag.Elements())
	// Output:
	// urn:epc:tag:sgtin-96:3.0614141.812345.6789
	// urn:epc:id:sgtin:0614141.812345.6789
	// 7 [{01 80614141123458} {21 6789}]
}

func ExampleTag_EncodeAs() {
	id, err := epc.ParseURI("urn:epc:id:sgtin:0614141.712345.32a%2Fb")
	if err != nil {
		panic(err)
	}
	tag, err := id.EncodeAs(epc.SGTIN198, 3)
	if err != nil {
		panic(err)
	}
	h, _ := tag.Hex()
	fmt.Println(h)
	// Output: 3674257BF6B7A659B2C2BF100000000000000000000000000000
}

func ExampleFromGS1() {
	tag, err := epc.FromGS1("80614141123458", "6789", 7, 3)
	if err != nil {
		panic(err)
	}
	fmt.Println(tag.TagURI())
	// Output: urn:epc:tag:sgtin-96:3.0614141.812345.6789
}

func ExampleTag_MarshalJSON() {
	tag, _ := epc.Decode("3174257BF4499602D2000000")
	b, _ := json.Marshal(tag)
	fmt.Println(string(b))
	// Output: {"scheme":"sscc-96","kind":"sscc","filter":3,"filterMeaning":"Reserved","partition":5,"companyPrefix":"0614141","companyPrefixDigits":7,"reference":"1234567890","tagUri":"urn:epc:tag:sscc-96:3.0614141.1234567890","pureUri":"urn:epc:id:sscc:0614141.1234567890","hex":"3174257BF4499602D2000000","elements":[{"ai":"00","value":"106141412345678908"}]}
}
