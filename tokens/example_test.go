package tokens_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/reachkit/reachkit/tokens"
)

func Example_count() {
	enc, err := tokens.ForModel("gpt-4o-mini")
	if err != nil {
		log.Fatal(err)
	}
	text := "Spring sale: 20% off everything until Sunday!"
	fmt.Println(enc.Name(), enc.Count(text))
	fmt.Printf("%q\n", enc.Truncate(text, 4))

	n, err := tokens.CountMessages("gpt-4o-mini", []tokens.Message{
		{Role: "system", Content: "You write subject lines."},
		{Role: "user", Content: text},
	})
	fmt.Println(n, err)

	// A model the package does not know needs an explicit choice.
	_, err = tokens.ForModel("my-private-model")
	var unknown *tokens.UnknownModelError
	fmt.Println(errors.As(err, &unknown))
	enc, _ = tokens.ForModel("my-private-model", tokens.WithFallback("o200k_base"))
	fmt.Println(enc.Name())
	// Output:
	// o200k_base 11
	// "Spring sale: "
	// 27 <nil>
	// true
	// o200k_base
}

func ExampleFitMessages() {
	history := []tokens.Message{
		{Role: "system", Content: "You are a helpful marketing assistant."},
		{Role: "user", Content: "Suggest a name for our spring campaign."},
		{Role: "assistant", Content: "How about \"Fresh Start Savings\"?"},
		{Role: "user", Content: "Now write a two-line teaser for it."},
	}
	res, err := tokens.FitMessages("gpt-4o", history, 30)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range res.Messages {
		fmt.Println(m.Role+":", m.Content)
	}
	fmt.Println("dropped", res.Dropped, "tokens", res.Tokens)

	_, err = tokens.FitMessages("gpt-4o", history, 10)
	var tooSmall *tokens.BudgetError
	if errors.As(err, &tooSmall) {
		fmt.Println("need at least", tooSmall.Required)
	}
	// Output:
	// system: You are a helpful marketing assistant.
	// user: Now write a two-line teaser for it.
	// dropped [1 2] tokens 27
	// need at least 27
}

func ExampleCost() {
	usage := tokens.Usage{PromptTokens: 12000, CachedTokens: 8000, CompletionTokens: 1500, ReasoningTokens: 1000}
	usd, err := tokens.Cost("gpt-5-mini-2025-08-07", usage)
	fmt.Printf("$%.6f %v\n", usd, err)

	// Prices change faster than releases: override or add models.
	prices := tokens.DefaultPrices().With("my-fine-tune", tokens.Price{Input: 0.30, CachedInput: 0.15, Output: 1.60})
	usd, err = prices.Cost("my-fine-tune", usage)
	fmt.Printf("$%.6f %v\n", usd, err)

	_, err = tokens.Cost("unpriced-model", usage)
	var unknown *tokens.UnknownPriceError
	fmt.Println(errors.As(err, &unknown))
	// Output:
	// $0.004200 <nil>
	// $0.004800 <nil>
	// true
}
