package gs1_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/partsedge/partsedge/devices/gs1"
)

func ExampleParse() {
	r, err := gs1.Parse("]d2" + "0109506000134352" + "17251200" + "10ABC123\x1d" + "21S-0042")
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	fmt.Println(gs1.HRI(r.Elements))
	// Output:
	// {"aimId":"]d2","symbology":"GS1 DataMatrix","elements":[{"ai":"01","value":"09506000134352"},{"ai":"17","value":"251200"},{"ai":"10","value":"ABC123"},{"ai":"21","value":"S-0042"}]}
	// (01)09506000134352(17)251200(10)ABC123(21)S-0042
}

func ExampleParse_error() {
	_, err := gs1.Parse("]C1" + "0109506000134353")
	var e *gs1.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.AI, e.Offset)
	}
	// Output:
	// bad_check_digit 01 18
}

func ExampleDigitalLink() {
	r, _ := gs1.ParseHRI("(01)09506000134352(17)251231(10)ABC/1(21)12345")
	uri, _ := gs1.DigitalLink("https://id.example.com", r.Elements)
	fmt.Println(uri)
	back, _ := gs1.ParseDigitalLink(uri)
	fmt.Println(gs1.HRI(back.Elements))
	// Output:
	// https://id.example.com/01/09506000134352/10/ABC%2F1/21/12345?17=251231
	// (01)09506000134352(10)ABC/1(21)12345(17)251231
}

func ExampleElementString() {
	s, _ := gs1.ElementString([]gs1.Element{
		{AI: "01", Value: "09506000134352"},
		{AI: "10", Value: "LOT7"},
		{AI: "3103", Value: "001250"},
	}, '|')
	fmt.Println(s)
	// Output:
	// 010950600013435210LOT7|3103001250
}
